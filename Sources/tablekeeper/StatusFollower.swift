import Foundation
import StatusLog

/// Tails the status log: prints records appended after the start, and reopens the file after a rotation.
struct StatusFollower {
    let path: String

    func follow(_ emit: (StatusRecord) -> Void) async throws {
        var handle = FileHandle(forReadingAtPath: path)
        var inode = Self.inode(path)
        var offset = (try? handle?.seekToEnd()) ?? 0
        var partial = Data()
        while !Task.isCancelled {
            if let data = try? handle?.readToEnd(), !data.isEmpty {
                offset += UInt64(data.count)
                partial += data
                // Only whole lines are parsed; a line still being written waits for its newline.
                if let lastNewline = partial.lastIndex(of: UInt8(ascii: "\n")) {
                    let complete = partial[partial.startIndex...lastNewline]
                    for record in StatusLogReader.parse(Data(complete)).records { emit(record) }
                    partial = Data(partial[partial.index(after: lastNewline)...])
                }
                fflush(nil)
            }
            let currentInode = Self.inode(path)
            if currentInode != inode || Self.size(path) < offset {
                // Rotated: the old file was renamed away; read what was left in it, then start on the new one.
                if let rest = try? handle?.readToEnd(), !rest.isEmpty {
                    for record in StatusLogReader.parse(partial + rest).records { emit(record) }
                }
                partial = Data()
                try? handle?.close()
                handle = FileHandle(forReadingAtPath: path)
                inode = currentInode
                offset = 0
                continue
            }
            try await Task.sleep(for: .milliseconds(250))
        }
    }

    static func inode(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    static func size(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : 0
    }
}
