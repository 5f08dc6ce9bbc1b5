import FoundationEssentials
import Glibc
import Synchronization
public import SystemSupport

/// The status log's writer lock: an exclusive `flock` on `<log>.lock`, held for the life of the process, so
/// a second writer is refused instead of racing a rotation.
public struct StatusLogLock: Sendable {
    let descriptor: Int32

    /// Takes the lock, or says who holds it.
    public static func acquire(logPath: String) -> Result<StatusLogLock, FileOwnership.OpenError> {
        let folder = Paths.parent(logPath)
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let path = "\(logPath).lock"
        switch FileOwnership.openOwned(path, flags: O_RDWR | O_CREAT, mode: 0o600) {
        case .failure(let error):
            return .failure(error)
        case .success(let descriptor):
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                close(descriptor)
                return .failure(
                    FileOwnership.OpenError(
                        description: "another tablekeeper writes \(logPath) (it holds \(path)): stop it, or give this "
                            + "one its own statusLog.path"
                    )
                )
            }
            return .success(StatusLogLock(descriptor: descriptor))
        }
    }
}

/// Appends records to the status log: one `write(2)` per record on an `O_APPEND` descriptor, `fsync` on
/// `sync()`, rotation by size with atomic renames.
///
/// When the log cannot be written (disk full, permissions), records are kept in memory (bounded) and
/// written as soon as it can be again; `isHealthy` tells the daemon to report it.
public final class StatusLogWriter: Sendable {
    /// Records kept in memory while the log is unwritable.
    public static let maximumPending = 10_000

    /// The log file.
    public let path: String
    /// Size at which the file is rotated.
    public let maxBytes: Int64
    /// Rotated files kept (`path.1` … `path.keep`).
    public let keep: Int

    private struct State {
        var descriptor: Int32 = -1
        var size: Int64 = 0
        var pending: [String] = []
        var lastError: String?
        var dropped = 0
        var fence: Int?
    }

    private let state = Mutex(State())

    /// Opens (creating) the log; a torn last line left by a crash is ended so the next record starts on a
    /// new line. Never throws: an unwritable log is reported through `lastError`.
    public init(path: String, maxBytes: Int64 = 64 << 20, keep: Int = 5) {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
        state.withLock { state in
            openIfNeeded(&state)
        }
    }

    deinit {
        state.withLock { state in
            if state.descriptor >= 0 {
                fsync(state.descriptor)
                close(state.descriptor)
            }
        }
    }

    /// Why the log could not be written, or nil when it is healthy.
    public var lastError: String? {
        state.withLock { $0.lastError }
    }

    /// Whether the last write and sync succeeded and nothing is waiting.
    public var isHealthy: Bool {
        state.withLock { $0.lastError == nil && $0.pending.isEmpty }
    }

    /// Records that had to be dropped because the in-memory queue was full.
    public var droppedRecords: Int {
        state.withLock { $0.dropped }
    }

    /// The fence number written into every later record that has none (with leader election: the lease this
    /// daemon holds, so work done under a lease it has lost is told apart); nil for none.
    public func stamp(fence: Int?) {
        state.withLock { $0.fence = fence }
    }

    /// Appends records, each with a single write.
    public func append(_ records: [StatusRecord]) {
        guard !records.isEmpty else { return }
        state.withLock { state in
            let fence = state.fence
            state.pending += records.map { record in
                var record = record
                if record.fence == nil { record.fence = fence }
                return record.jsonLine + "\n"
            }
            if state.pending.count > Self.maximumPending {
                state.dropped += state.pending.count - Self.maximumPending
                state.pending.removeFirst(state.pending.count - Self.maximumPending)
            }
            flush(&state)
        }
    }

    /// Writes anything pending and makes the log durable (`fsync`).
    public func sync() {
        state.withLock { state in
            flush(&state)
            guard state.descriptor >= 0 else { return }
            if fsync(state.descriptor) != 0 {
                state.lastError = "fsync \(path): \(String(cString: strerror(errno)))"
            }
        }
    }

    private func openIfNeeded(_ state: inout State) {
        guard state.descriptor < 0 else { return }
        let folder = Paths.parent(path)
        if !folder.isEmpty {
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        let descriptor: Int32
        switch FileOwnership.openOwned(path, flags: O_WRONLY | O_APPEND | O_CREAT, mode: 0o640) {
        case .success(let opened): descriptor = opened
        case .failure(let error):
            state.lastError = error.description
            return
        }
        var info = stat()
        fstat(descriptor, &info)
        state.size = Int64(info.st_size)
        state.descriptor = descriptor
        if state.size > 0, !Self.endsWithNewline(path: path) {
            // A crash mid-write left a torn line: end it so readers skip it and the next record is whole.
            if write(descriptor, "\n", 1) == 1 { state.size += 1 }
        }
    }

    static func endsWithNewline(path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return true }
        defer { close(descriptor) }
        var byte: UInt8 = 0
        guard lseek(descriptor, -1, SEEK_END) >= 0, read(descriptor, &byte, 1) == 1 else { return true }
        return byte == UInt8(ascii: "\n")
    }

    private func flush(_ state: inout State) {
        openIfNeeded(&state)
        guard state.descriptor >= 0 else { return }
        while let line = state.pending.first {
            let bytes = Array(line.utf8)
            if state.size > 0, state.size + Int64(bytes.count) > maxBytes {
                rotate(&state)
                guard state.descriptor >= 0 else { return }
            }
            let written = bytes.withUnsafeBytes { write(state.descriptor, $0.baseAddress, $0.count) }
            if written == bytes.count {
                state.size += Int64(written)
                state.pending.removeFirst()
                state.lastError = nil
                continue
            }
            if written > 0 {
                // A short write (disk full) left a torn line: end it, keep the record for later.
                state.size += Int64(written)
                if write(state.descriptor, "\n", 1) == 1 { state.size += 1 }
            }
            state.lastError = "write \(path): \(written < 0 ? String(cString: strerror(errno)) : "short write")"
            return
        }
    }

    private func rotate(_ state: inout State) {
        fsync(state.descriptor)
        close(state.descriptor)
        state.descriptor = -1
        // Oldest first, so every rename(2) lands on a free name; each rename is atomic.
        for index in stride(from: keep - 1, through: 1, by: -1) {
            rename("\(path).\(index)", "\(path).\(index + 1)")
        }
        rename(path, "\(path).1")
        openIfNeeded(&state)
    }
}
