import FoundationEssentials
import Glibc
import StatusLog
import SystemSupport

/// Tails the status log: prints records appended after the start, and reopens the file after a rotation.
struct StatusFollower {
    let path: String

    func follow(_ emit: (StatusRecord) -> Void) async throws {
        var descriptor = open(path, O_RDONLY | O_CLOEXEC)
        defer { if descriptor >= 0 { close(descriptor) } }
        var inode = Self.inode(path)
        var offset = descriptor >= 0 ? UInt64(max(0, lseek(descriptor, 0, SEEK_END))) : 0
        var partial: [UInt8] = []
        while !Task.isCancelled {
            let data = descriptor >= 0 ? FileIO.readToEnd(descriptor: descriptor) : []
            if !data.isEmpty {
                offset += UInt64(data.count)
                partial += data
                // Only whole lines are parsed; a line still being written waits for its newline.
                if let lastNewline = partial.lastIndex(of: UInt8(ascii: "\n")) {
                    let complete = partial[...lastNewline]
                    for record in StatusLogReader.parse(Data(complete)).records { emit(record) }
                    partial = Array(partial[(lastNewline + 1)...])
                }
                fflush(nil)
            }
            let currentInode = Self.inode(path)
            if currentInode != inode || Self.size(path) < offset {
                // Rotated: the old file was renamed away; read what was left in it, then start on the new one.
                let rest = descriptor >= 0 ? FileIO.readToEnd(descriptor: descriptor) : []
                if !rest.isEmpty {
                    for record in StatusLogReader.parse(Data(partial + rest)).records { emit(record) }
                }
                partial = []
                if descriptor >= 0 { close(descriptor) }
                descriptor = open(path, O_RDONLY | O_CLOEXEC)
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
