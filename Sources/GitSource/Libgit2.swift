internal import CLibGit2
import FoundationEssentials

/// Process-wide libgit2 setup, done once before any other libgit2 call.
enum Libgit2 {
    // A `static let` initialises lazily, exactly once and thread-safely; global options must be set
    // before any repository is opened because git_libgit2_opts is not synchronised.
    private static let initialized: Bool = {
        let count = git_libgit2_init()
        precondition(count > 0, "git_libgit2_init failed")
        // Hermetic: never read /etc/gitconfig or ~/.gitconfig (insteadOf rules, proxies, safe.directory).
        _ = clibgit2_set_search_path_empty()
        // The cache belongs to the service user; the owner check only misleads when it does not.
        _ = clibgit2_set_owner_validation(0)
        return true
    }()

    static func ensureInitialized() {
        _ = initialized
    }
}

/// A libgit2 failure: the return code, the error class and libgit2's message.
public struct GitError: Error, Sendable, CustomStringConvertible {
    /// libgit2's return code (`git_error_code`).
    public var code: Int32
    /// libgit2's error class (`git_error_t`).
    public var errorClass: Int32
    /// libgit2's message, with any credentials in URLs removed.
    public var message: String
    /// The libgit2 function that failed.
    public var operation: String

    /// Creates an error.
    public init(code: Int32, errorClass: Int32, message: String, operation: String) {
        self.code = code
        self.errorClass = errorClass
        self.message = URLScrubber.scrub(message)
        self.operation = operation
    }

    /// Reads libgit2's thread-local last error; must run on the failing thread, right after the call.
    static func last(code: Int32, operation: String) -> GitError {
        guard let error = git_error_last() else {
            return GitError(code: code, errorClass: 0, message: "no libgit2 error message", operation: operation)
        }
        let message = error.pointee.message.map { String(cString: $0) } ?? "no libgit2 error message"
        return GitError(code: code, errorClass: error.pointee.klass, message: message, operation: operation)
    }

    /// Whether the object or reference was not found.
    public var isNotFound: Bool { code == GIT_ENOTFOUND.rawValue }
    /// Whether authentication failed.
    public var isAuthentication: Bool { code == GIT_EAUTH.rawValue }
    /// Whether the host key or certificate was refused.
    public var isCertificate: Bool { code == GIT_ECERTIFICATE.rawValue }

    /// Whether the local cache looks damaged (repository, object database, zlib, reference or object errors).
    /// The code of a revision over `SourceLimits`.
    static let limitCode: Int32 = -1002

    /// Whether the error says the mirror is damaged. Tablekeeper's own codes (-1000 and below: a branch or
    /// folder that is missing, a revision over a limit) never are.
    public var isCacheDamage: Bool {
        code > -1000
            && [GIT_ERROR_REPOSITORY, GIT_ERROR_ODB, GIT_ERROR_ZLIB, GIT_ERROR_REFERENCE, GIT_ERROR_OBJECT]
                .map { Int32($0.rawValue) }.contains(errorClass)
    }

    /// `operation: message`.
    public var description: String {
        "\(operation): \(message)"
    }
}

/// Throws the last libgit2 error when `code` is negative.
@discardableResult
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(GitError) -> Int32 {
    if code < 0 { throw GitError.last(code: code, operation: operation()) }
    return code
}

/// Removes user information (tokens, passwords) from URLs in text before it is logged or stored.
public enum URLScrubber {
    /// `https://user:token@host/x` → `https://host/x`, anywhere in `text`.
    public static func scrub(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let scheme = rest.firstRange(of: "://") {
            result += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let end = rest.firstIndex { $0 == "/" || $0 == " " || $0 == "'" || $0 == "\"" } ?? rest.endIndex
            if let at = rest[..<end].lastIndex(of: "@") {
                rest = rest[rest.index(after: at)...]
            }
        }
        return result + rest
    }
}
