import Foundation
import TestSupport

/// A Python HTTP server on loopback that answers with scripted responses (see Resources/scripted_server.py).
final class ScriptedServer: Sendable {
    let script: LoopbackScript
    let countFile = FileManager.default.temporaryDirectory.appendingPathComponent("scripted-\(UUID().uuidString)").path

    init(responses: [(Int, String)]) async throws {
        let path = Bundle.module.url(forResource: "scripted_server", withExtension: "py", subdirectory: "Resources")!
            .path
        let list = responses.map { [$0.0, $0.1] as [Any] }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: list), as: UTF8.self)
        script = try await LoopbackScript.start([path, json, countFile])
    }

    var port: Int { script.port }

    var endpoint: URL { URL(string: "http://127.0.0.1:\(port)")! }

    /// How many requests it answered.
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
        try? FileManager.default.removeItem(atPath: countFile)
        try? FileManager.default.removeItem(atPath: countFile + ".requests")
    }
}
