internal import CLibGit2

/// A git object id (SHA-1), usable as a dictionary key and printed as 40 hex digits.
public struct ObjectID: Hashable, Sendable, CustomStringConvertible, Codable {
    /// The 40 lower-case hex digits.
    public let hex: String

    /// Creates an id from 40 hex digits (not validated beyond that).
    public init?(hex: String) {
        guard hex.utf8.count == 40, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else {
            return nil
        }
        self.hex = hex
    }

    init(_ oid: UnsafePointer<git_oid>) {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, oid)
        self.hex = String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    var oid: git_oid {
        var oid = git_oid()
        _ = git_oid_fromstr(&oid, hex)
        return oid
    }

    /// The hex digits.
    public var description: String { hex }

    /// The first 12 hex digits.
    public var short: String { String(hex.prefix(12)) }
}
