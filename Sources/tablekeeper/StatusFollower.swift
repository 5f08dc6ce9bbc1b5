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
                // The file to read next is opened first, then the chain is listed: the files between the one we
                // read and the one we opened are whole, read them in order. A rotation after the open only
                // renames the opened file (we keep reading it, and the next look sees the change), so no record is
                // missed however slowly we poll or however fast the writer rotates.
                let next = open(path, O_RDONLY | O_CLOEXEC)
                let nextInode = Self.inode(descriptor: next)
                let chain = StatusLogReader.files(path: path)
                if let read = chain.firstIndex(where: { Self.inode($0) == inode }) {
                    let stop = chain.firstIndex { Self.inode($0) == nextInode } ?? chain.endIndex
                    for file in chain[(read + 1)..<max(read + 1, stop)] {
                        guard let data = FileManager.default.contents(atPath: file) else { continue }
                        for record in StatusLogReader.parse(data).records { emit(record) }
                    }
                }
                if descriptor >= 0 { close(descriptor) }
                descriptor = next
                inode = nextInode
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

    static func inode(descriptor: Int32) -> UInt64 {
        var info = stat()
        return descriptor >= 0 && fstat(descriptor, &info) == 0 ? UInt64(info.st_ino) : 0
    }

    static func size(_ path: String) -> UInt64 {
        var info = stat()
        return stat(path, &info) == 0 ? UInt64(info.st_size) : 0
    }
}
