import Foundation

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
    ) async -> Response {
        await offPool { requestBlocking(port: port, method: method, path: path, headers: headers, body: body) }
    }

    private static func requestBlocking(
        port: Int,
        method: String,
        path: String,
        headers: [String: String],
        body: [UInt8]
    ) -> Response {
        guard let descriptor = MotoServer.connectLoopback(port: port) else {
            return Response(status: 0, headers: [:], body: "")
        }
        defer { close(descriptor) }
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
