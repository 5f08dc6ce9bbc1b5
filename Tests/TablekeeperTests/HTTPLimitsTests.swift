import Foundation
import StatusLog
import TestSupport
import Testing

/// The HTTP endpoint against hostile clients, over raw sockets to the real daemon.
@Suite("HTTP endpoint limits")
struct HTTPLimitsTests {
    /// Opens a loopback connection and sends `text` (nothing when empty).
    func connect(_ port: Int, sending text: String = "") throws -> Int32 {
        let descriptor = try #require(MotoServer.connectLoopback(port: port))
        if !text.isEmpty {
            _ = Array(text.utf8).withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        return descriptor
    }

    /// Reads until the server closes (or `timeout` passes); returns what came and how long it took.
    func readToClose(_ descriptor: Int32, timeout: Int = 15) async -> (text: String, after: Duration) {
        await offPool {
            var limit = timeval(tv_sec: timeout, tv_usec: 0)
            setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            let started = ContinuousClock.now
            var data: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = recv(descriptor, &buffer, buffer.count, 0)
                if count <= 0 { break }
                data += buffer[0..<count]
            }
            return (String(decoding: data, as: UTF8.self), ContinuousClock.now - started)
        }
    }

    @Test(
        "200 idle connections do not keep /healthz out; slow heads are cut at 5 s; bodies are read only for a webhook"
    )
    func connections() async throws {
        let name = Scenario.unique("http")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)], interval: "1h")
        let daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let port = scenario.httpPort
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                await LoopbackHTTP.request(port: port, path: "/healthz").status == 200
            }
        )
        var idle: [Int32] = []
        defer { for descriptor in idle { close(descriptor) } }
        for _ in 0..<200 { idle.append(try connect(port)) }
        let asked = ContinuousClock.now
        #expect(await LoopbackHTTP.request(port: port, path: "/healthz").status == 200)
        #expect(ContinuousClock.now - asked < .seconds(3))

        // A head that never ends is cut off at the head deadline.
        let slow = try connect(port, sending: "GET /healthz HTTP/1.1\r\nHost: x\r\n")
        defer { close(slow) }
        let cut = await readToClose(slow)
        #expect(cut.text.isEmpty)
        #expect(cut.after < .seconds(9), "\(cut.after)")

        // A huge declared body on /metrics is not waited for: the answer comes from the head.
        let metrics = try connect(
            port,
            sending: "GET /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n"
        )
        defer { close(metrics) }
        let answered = await readToClose(metrics)
        #expect(answered.text.hasPrefix("HTTP/1.1 200"))
        #expect(answered.after < .seconds(3))
        // The same for a webhook whose signature header is malformed.
        let unsigned = try connect(
            port,
            sending:
                "POST /hooks/git HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=zz\r\nContent-Length: 900000\r\n\r\n"
        )
        defer { close(unsigned) }
        let refused = await readToClose(unsigned)
        #expect(refused.text.hasPrefix("HTTP/1.1 401"))
        #expect(refused.after < .seconds(3))
    }

    @Test("20 replays of one signed webhook start at most one cycle, and webhook cycles are 10 s apart")
    func replays() async throws {
        let name = Scenario.unique("replay")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)], interval: "1h")
        let daemon = try scenario.startDaemon()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        let cycles = { scenario.records().filter { $0.kind == .cycle } }
        #expect(try await Scenario.waitUntil(.seconds(30)) { !cycles().isEmpty })
        try await Task.sleep(for: .seconds(1))
        var statuses: [Int] = []
        for _ in 0..<20 {
            statuses.append(try await scenario.webhook(#"{"ref":"refs/heads/main","after":"0000"}"#).status)
        }
        #expect(statuses.allSatisfy { $0 == 202 })
        try await Task.sleep(for: .seconds(3))
        #expect(cycles().filter { $0.trigger == "webhook" }.count == 1)
        // A different delivery right away waits for the spacing: one more cycle, about 10 s after the first.
        let queued = try await scenario.webhook(#"{"ref":"refs/heads/main","after":"1111"}"#)
        #expect(queued.status == 202)
        #expect(queued.body.contains("queued in"))
        #expect(cycles().filter { $0.trigger == "webhook" }.count == 1)
        #expect(
            try await Scenario.waitUntil(.seconds(15)) { cycles().filter { $0.trigger == "webhook" }.count == 2 }
        )
    }
}
