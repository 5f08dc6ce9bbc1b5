import Foundation
import StatusLog
import TestSupport
import Testing

/// `tablekeeper status` over logs written by the real writer.
@Suite("status command")
struct StatusCommandTests {
    static func cycle(_ number: Int) -> StatusRecord {
        var record = StatusRecord(time: StatusRecord.timestamp(Date()), kind: .cycle)
        record.cycle = number
        record.revision = String(repeating: "a", count: 40)
        record.trigger = "poll"
        record.durationMs = 5
        record.counts = ["in_sync": 1]
        return record
    }

    static func table(_ name: String, _ outcome: String, cycle: Int, age: TimeInterval = 0) -> StatusRecord {
        var record = StatusRecord(time: StatusRecord.timestamp(Date().addingTimeInterval(-age)), kind: .table)
        record.cycle = cycle
        record.revision = String(repeating: "a", count: 40)
        record.manifest = "manifests/\(name).json"
        record.table = name
        record.region = "us-east-1"
        record.outcome = outcome
        record.message = "\(name) is \(outcome)"
        return record
    }

    @Test("one line per table, what needs a person first, exit 2 while something is flagged")
    func current() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("status.jsonl")
        let writer = StatusLogWriter(path: path)
        writer.append([
            Self.table("alpha", "in_sync", cycle: 1), Self.table("zulu", "flagged", cycle: 1), Self.cycle(1),
        ])
        writer.sync()
        let result = try await ProcessRunner.tablekeeper(["status", "--log", path])
        #expect(result.status == 2)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("TABLE") == true)
        #expect(lines.dropFirst().first?.hasPrefix("zulu ") == true)
        #expect(result.stdout.contains("last cycle 1 (poll)"))
        writer.append([Self.table("zulu", "in_sync", cycle: 2), Self.cycle(2)])
        writer.sync()
        #expect(try await ProcessRunner.tablekeeper(["status", "--log", path]).status == 0)
        let json = try await ProcessRunner.tablekeeper(["status", "--log", path, "--json", "--table", "zulu"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect((parsed?["tables"] as? [[String: Any]])?.map { $0["outcome"] as? String } == ["in_sync"])
    }

    @Test("--history lists records oldest first; --since and --table narrow it; a bad --since is refused")
    func history() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("status.jsonl")
        let writer = StatusLogWriter(path: path)
        writer.append([
            Self.table("alpha", "created", cycle: 1, age: 7200), Self.table("beta", "created", cycle: 1, age: 7200),
            Self.table("alpha", "flagged", cycle: 2, age: 60), Self.table("beta", "in_sync", cycle: 2, age: 30),
        ])
        writer.sync()
        let all = try await ProcessRunner.tablekeeper(["status", "--log", path, "--history", "--json"])
        #expect(all.status == 0)
        let lines = all.stdout.split(separator: "\n").compactMap { StatusRecord.parse(line: Array($0.utf8)) }
        #expect(
            lines.map { "\($0.table ?? "") \($0.outcome ?? "")" } == [
                "alpha created", "beta created", "alpha flagged", "beta in_sync",
            ]
        )
        let recent = try await ProcessRunner.tablekeeper([
            "status", "--log", path, "--history", "--json", "--since", "1h", "--table", "alpha",
        ])
        let recentRecords = recent.stdout.split(separator: "\n").compactMap { StatusRecord.parse(line: Array($0.utf8)) }
        #expect(recentRecords.map { $0.outcome } == ["flagged"])
        let human = try await ProcessRunner.tablekeeper(["status", "--log", path, "--history", "--since", "1h"])
        #expect(human.stdout.split(separator: "\n").count == 2)
        let bad = try await ProcessRunner.tablekeeper(["status", "--log", path, "--history", "--since", "soon"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--since takes a duration like 30m or 2h"))
    }

    @Test("torn lines are skipped and counted")
    func tornLine() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("status.jsonl")
        try (Self.table("alpha", "created", cycle: 1).jsonLine + "\n" + #"{"v":1,"time":"2026-"#)
            .write(toFile: path, atomically: true, encoding: .utf8)
        let result = try await ProcessRunner.tablekeeper(["status", "--log", path])
        #expect(result.status == 0)
        #expect(result.stderr.contains("skipped 1 torn or unreadable line"))
        #expect(result.stdout.contains("alpha"))
    }

    @Test("--follow keeps printing new records across a rotation")
    func followAcrossRotation() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("status.jsonl")
        let writer = StatusLogWriter(path: path, maxBytes: 1500, keep: 3)
        writer.append([Self.cycle(1)])
        writer.sync()
        let (process, output) = try Self.follow(path)
        try await Task.sleep(for: .milliseconds(800))
        for number in 2...20 {
            writer.append([Self.cycle(number)])
            writer.sync()
            try await Task.sleep(for: .milliseconds(60))
        }
        try await Task.sleep(for: .milliseconds(800))
        #expect(StatusLogReader.files(path: path).count > 1)
        let printed = await Self.stop(process, output)
        #expect(printed == Array(1...20))
    }

    @Test("--follow misses nothing when several rotations happen between two looks")
    func followAcrossManyRotations() async throws {
        let folder = TemporaryDirectory()
        let path = folder.file("status.jsonl")
        let writer = StatusLogWriter(path: path, maxBytes: 600, keep: 20)
        writer.append([Self.cycle(1)])
        writer.sync()
        let (process, output) = try Self.follow(path)
        try await Task.sleep(for: .milliseconds(800))
        // A burst: a rotation every three records or so, all within one of the follower's looks.
        for number in 2...20 {
            writer.append([Self.cycle(number)])
            writer.sync()
        }
        try await Task.sleep(for: .milliseconds(1200))
        #expect(StatusLogReader.files(path: path).count > 3)
        let printed = await Self.stop(process, output)
        #expect(printed == Array(1...20))
    }

    /// `tablekeeper status --log PATH --follow --json`, running.
    static func follow(_ path: String) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: RepositoryPaths.binary)
        process.arguments = ["status", "--log", path, "--follow", "--json"]
        let output = Pipe.forChild()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    /// Stops a follower and returns the cycle numbers it printed.
    static func stop(_ process: Process, _ output: Pipe) async -> [Int] {
        kill(process.processIdentifier, SIGKILL)
        await process.exited()
        return StatusLogReader.parse(ProcessRunner.drain(output.fileHandleForReading, of: process)).records.compactMap(
            \.cycle
        )
    }
}
