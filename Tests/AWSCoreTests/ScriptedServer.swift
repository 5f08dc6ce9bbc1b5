import Foundation

/// A Python HTTP server on loopback that answers with scripted responses (see Resources/scripted_server.py).
final class ScriptedServer: Sendable {
    let port: Int
    let pid: Int32
    let countFile = FileManager.default.temporaryDirectory.appendingPathComponent("scripted-\(UUID().uuidString)").path

    init(responses: [(Int, String)]) throws {
        let script = Bundle.module.url(forResource: "scripted_server", withExtension: "py", subdirectory: "Resources")!
        let list = responses.map { [$0.0, $0.1] as [Any] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, json, countFile]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        pid = process.processIdentifier
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// How many POSTs it answered.
    func requestCount() throws -> Int {
        guard let data = FileManager.default.contents(atPath: countFile) else { return 0 }
        return Int(String(decoding: data, as: UTF8.self)) ?? -1
    }

    /// `METHOD PATH AUTHORIZATION METADATA-TOKEN` of each request, in order.
    func requests() -> [String] {
        let text = (try? String(contentsOfFile: countFile + ".requests", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        try? FileManager.default.removeItem(atPath: countFile)
        try? FileManager.default.removeItem(atPath: countFile + ".requests")
    }
}
