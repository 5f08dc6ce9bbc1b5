import Foundation

/// A datagram Unix socket standing in for systemd's notify socket; `@name` binds an abstract socket.
public final class NotifyListener: @unchecked Sendable {
    /// The value for `NOTIFY_SOCKET`.
    public let address: String
    private let descriptor: Int32
    private let lock = NSLock()
    private var received: [String] = []

    /// Binds the socket and starts collecting messages.
    public init(address: String) throws {
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

/// A minimal HTTP/1.1 client for loopback tests: one request per connection, read until the server closes.
public enum LoopbackHTTP {
    /// A response.
    public struct Response: Sendable {
        /// The status code (0 when the connection failed).
        public var status: Int
        /// Headers, names lowercased.
        public var headers: [String: String]
        /// The body as text.
        public var body: String
    }

    /// Sends a request to `127.0.0.1:port`.
    public static func request(
        port: Int,
        method: String = "GET",
        path: String,
        headers: [String: String] = [:],
        body: [UInt8] = []
    ) -> Response {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return Response(status: 0, headers: [:], body: "") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        let request = Array((head + "\r\n").utf8) + body
        var offset = 0
        while offset < request.count {
            let sent = request[offset...].withUnsafeBytes {
                send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            // The server may answer (and close) before reading a refused body.
            if sent <= 0 { break }
            offset += sent
        }
        var data: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count <= 0 { break }
            data += buffer[0..<count]
        }
        let text = String(decoding: data, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return Response(status: 0, headers: [:], body: text) }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var parsed: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(status: status, headers: parsed, body: String(text[split.upperBound...]))
    }
}
