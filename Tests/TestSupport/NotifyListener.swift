import Foundation

/// A datagram Unix socket standing in for systemd's notify socket; `@name` binds an abstract socket.
public final class NotifyListener: @unchecked Sendable {
    /// The value for `NOTIFY_SOCKET`.
    public let address: String
    private let descriptor: Int32
    private let lock = NSLock()
    private var received: [String] = []

    /// Binds the socket and starts collecting messages; with `reading` false nobody ever reads it, so its queue
    /// fills up (as when systemd is slow to drain it).
    public init(address: String, reading: Bool = true) throws {
        self.address = address
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var socketAddress = sockaddr_un()
        socketAddress.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(address.utf8)
        let abstract = bytes.first == UInt8(ascii: "@")
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &socketAddress.sun_path) { $0.copyBytes(from: bytes) }
        let length = MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1)
        let bound = withUnsafePointer(to: &socketAddress) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(length)) }
        }
        guard descriptor >= 0, bound == 0 else {
            throw ListenerError(description: "cannot bind \(address): \(String(cString: strerror(errno)))")
        }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard reading else { return }
        // The reader owns the descriptor: it closes it once the listener is gone.
        let thread = Thread { [descriptor, address, weak self] in
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                guard let self else { break }
                if count > 0 {
                    let message = String(decoding: buffer[0..<count], as: UTF8.self)
                    self.lock.withLock { self.received.append(message) }
                }
            }
            close(descriptor)
            if !address.hasPrefix("@") { unlink(address) }
        }
        thread.start()
    }

    /// Every message received so far, oldest first.
    public var messages: [String] {
        lock.withLock { received }
    }

    struct ListenerError: Error, CustomStringConvertible {
        var description: String
    }
}
