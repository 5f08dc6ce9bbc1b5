import FoundationEssentials
import Glibc
import Synchronization

/// The systemd notify protocol: datagrams of `KEY=VALUE` lines on the Unix socket named by `NOTIFY_SOCKET`
/// (a path, or an abstract name when it starts with `@`). Without the variable every call does nothing, so
/// the daemon runs the same outside systemd.
///
/// A message is never waited for: `sendto` blocks when the receiver's queue is full (Linux queues 10 datagrams,
/// `net.unix.max_dgram_qlen`), and a blocked cooperative thread would stall the daemon, its shutdown included.
/// A message that cannot be sent at once is dropped and counted.
public final class SystemdNotifier: Sendable {
    /// The socket address, or nil when not run by systemd with `Type=notify`.
    public let socketPath: String?
    /// Half of `WATCHDOG_USEC` when systemd expects watchdog pings (and the pings are meant for this process).
    public let watchdogInterval: Duration?
    /// Told of each message dropped because the receiver was not reading, with the count so far.
    let onDrop: @Sendable (Int) -> Void
    private let droppedCount = Atomic<Int>(0)

    /// Messages dropped so far because the receiver's queue was full.
    public var dropped: Int { droppedCount.load(ordering: .relaxed) }

    /// Reads the notify settings from this process's environment.
    public convenience init(onDrop: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.init(environment: ProcessInfo.processInfo.environment, onDrop: onDrop)
    }

    /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from an environment.
    public init(environment: [String: String], onDrop: @escaping @Sendable (Int) -> Void = { _ in }) {
        self.onDrop = onDrop
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path
        let pidMatches = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if path != nil, pidMatches, let text = environment["WATCHDOG_USEC"], let usec = Int64(text), usec > 0 {
            watchdogInterval = .microseconds(usec / 2)
        } else {
            watchdogInterval = nil
        }
    }

    /// Sends one message (lines joined by newlines); returns false when it could not be sent.
    @discardableResult
    public func notify(_ lines: [String]) -> Bool {
        guard let socketPath else { return false }
        let sent = Self.send(lines.joined(separator: "\n"), to: socketPath)
        if !sent {
            let count = droppedCount.add(1, ordering: .relaxed).newValue
            onDrop(count)
        }
        return sent
    }

    /// `READY=1`.
    public func ready(status: String? = nil) {
        notify(["READY=1"] + (status.map { ["STATUS=\(Self.oneLine($0))"] } ?? []))
    }

    /// `STATUS=…`, one line.
    public func status(_ text: String) {
        notify(["STATUS=\(Self.oneLine(text))"])
    }

    /// `WATCHDOG=1`.
    public func watchdog() {
        notify(["WATCHDOG=1"])
    }

    /// `RELOADING=1` with the monotonic time systemd asks for.
    public func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000
        notify(["RELOADING=1", "MONOTONIC_USEC=\(usec)"])
    }

    /// `STOPPING=1`.
    public func stopping() {
        notify(["STOPPING=1"])
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0.isNewline ? " " : $0 })
    }

    /// One datagram to a Unix socket path (a leading `@` names an abstract socket).
    static func send(_ message: String, to path: String) -> Bool {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(path.utf8)
        let abstract = pathBytes.first == UInt8(ascii: "@")
        if abstract { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard !pathBytes.isEmpty, pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: pathBytes)
        }
        // An abstract name is exactly its bytes; a path is NUL-terminated (the zeroed rest of sun_path).
        let length = MemoryLayout<sa_family_t>.size + pathBytes.count + (abstract ? 0 : 1)
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                sendto(
                    descriptor,
                    bytes,
                    bytes.count,
                    Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT),
                    socketAddress,
                    socklen_t(length)
                )
            }
        }
        return sent == bytes.count
    }
}
