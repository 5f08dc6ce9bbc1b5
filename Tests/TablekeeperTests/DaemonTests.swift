import Foundation
import StatusLog
import TestSupport
import Testing

/// `tablekeeper run` as a long-running process.
@Suite("daemon")
struct DaemonTests {
    @Test("the daemon reconciles at start, picks up a pushed commit by polling, and stops on SIGTERM")
    func pollAndStop() async throws {
        let name = Scenario.unique("daemon")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        let process = try scenario.startDaemon()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                ["created", "in_sync"].contains(try await scenario.outcomes()[name])
            }
        )
        let other = Scenario.unique("pushed")
        let head = try await scenario.git.commit(
            files: ["manifests/\(other).json": Scenario.manifest(other)],
            message: "add a table"
        )
        // Picked up by polling alone (interval 2 s), no restart.
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                scenario.records().contains { $0.table == other && $0.revision == head }
            }
        )

        // A long-running daemon must not leak descriptors: each poll starts a worker with three pipes. A poll or an
        // AWS call in flight holds a few for a moment, so the fewest seen over a second is compared.
        let fewestDescriptors = { () async throws -> Int in
            var fewest = Int.max
            for _ in 0..<10 {
                let path = "/proc/\(process.processIdentifier)/fd"
                fewest = min(fewest, (try? FileManager.default.contentsOfDirectory(atPath: path).count) ?? Int.max)
                try await Task.sleep(for: .milliseconds(100))
            }
            return fewest
        }
        let cycles = { scenario.records().filter { $0.kind == .cycle }.count }
        // Warm up first: event loops and timers are created on first use.
        let warm = cycles()
        #expect(try await Scenario.waitUntil(.seconds(30)) { cycles() >= warm + 3 })
        let before = try await fewestDescriptors()
        let cyclesBefore = cycles()
        #expect(try await Scenario.waitUntil(.seconds(60)) { cycles() >= cyclesBefore + 8 })
        // A leak of even one descriptor per poll would show as 8 or more; a busy machine can leave a poll
        // in flight during every sample, so a few are tolerated.
        #expect(try await fewestDescriptors() <= before + 4)

        let stopping = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        #expect(try await Scenario.waitUntil(.seconds(10)) { !process.isRunning })
        #expect(ContinuousClock.now - stopping < .seconds(10))
        #expect(process.terminationStatus == 0)
        #expect(process.terminationReason == .exit)
        // The log is whole: every line parses.
        #expect(StatusLogReader.read(path: scenario.statusLogPath).skippedLines == 0)
    }

    @Test("a daemon killed with SIGKILL loses at most the record being written, and a restart repeats nothing")
    func killedMidCycle() async throws {
        let name = Scenario.unique("crash")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        func start() throws -> Process {
            try scenario.startDaemon(logLevel: "critical")
        }
        let cycles = { scenario.records().filter { $0.kind == .cycle }.count }
        // Three crashes at different moments of the daemon's life.
        for delay in [1500, 2300, 3100] {
            let process = try start()
            try await Task.sleep(for: .milliseconds(delay))
            kill(process.processIdentifier, SIGKILL)
            await process.exited()
        }
        let process = try start()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        let before = cycles()
        #expect(try await Scenario.waitUntil(.seconds(30)) { cycles() >= before + 3 })
        kill(process.processIdentifier, SIGTERM)
        await process.exited()

        let (records, skipped) = StatusLogReader.read(path: scenario.statusLogPath)
        #expect(skipped <= 3)
        // The table was created once: no restart created it again or repeated its record. A kill between CreateTable
        // and the end of that cycle loses the `created` record, and with it the knowledge that TTL belongs to the
        // creation: TTL on the existing table is then flagged destructive (nothing is deleted), never applied.
        let created = records.filter { $0.table == name && $0.outcome == "created" }.count
        #expect(created <= 1)
        let last = try #require(records.last { $0.table == name })
        if created == 1 {
            #expect(last.outcome == "in_sync")
        } else {
            let flags = (last.changes ?? []).filter { $0.action == "flag" }
            #expect(
                last.outcome == "in_sync"
                    || flags.map { "\($0.field) \($0.reason ?? "")" } == ["ttlAttribute destructive"],
                "\(last.jsonLine)"
            )
        }
        // Cycle numbers keep increasing across restarts.
        let numbers = records.filter { $0.kind == .cycle }.compactMap(\.cycle)
        #expect(numbers == numbers.sorted())
    }

    @Test("SIGHUP reloads the configuration; a bad one is refused with its problems logged and the old one kept")
    func reload() async throws {
        let first = Scenario.unique("reload-a")
        let second = Scenario.unique("reload-b")
        let scenario = try await Scenario(files: [
            "manifests/\(first).json": Scenario.manifest(first), "other/\(second).json": Scenario.manifest(second),
        ])
        let logPath = scenario.folder.file("daemon.log")
        let listener = try NotifyListener(address: "@tablekeeper-reload-\(UUID().uuidString)")
        let process = try scenario.startDaemon(
            logLevel: "info",
            logPath: logPath,
            environment: ["NOTIFY_SOCKET": listener.address]
        )
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(try await Scenario.waitUntil(.seconds(30)) { scenario.records().contains { $0.table == first } })

        let good = try String(contentsOfFile: scenario.configPath, encoding: .utf8)
        try #"{"source": {"url": 42}, "policy": {"updates": "sometimes"}}"#.write(
            toFile: scenario.configPath,
            atomically: true,
            encoding: .utf8
        )
        kill(process.processIdentifier, SIGHUP)
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        #expect(try await Scenario.waitUntil(.seconds(10)) { log().contains("configuration refused") })
        #expect(log().contains("$.source.url"))
        #expect(log().contains("$.policy.updates"))
        #expect(process.isRunning)

        // The manifests' path is in force at once; a control socket moved is said to need a restart.
        try good.replacingOccurrences(of: #""path": "manifests""#, with: #""path": "other""#)
            .replacingOccurrences(
                of: #""statusLog":"#,
                with: #""control": {"socket": "\#(scenario.folder.file("moved.sock"))"}, "statusLog":"#
            )
            .write(toFile: scenario.configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(try await Scenario.waitUntil(.seconds(30)) { scenario.records().contains { $0.table == second } })
        #expect(log().contains("configuration reloaded"))
        #expect(log().contains("control.socket changed: it takes effect after a restart"), "\(log())")
        // The socket in force is still the first one: going back to it is no change, so no warning.
        try good.replacingOccurrences(of: #""path": "manifests""#, with: #""path": "other""#)
            .write(toFile: scenario.configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                log().components(separatedBy: "configuration reloaded").count == 3
            }
        )
        #expect(log().components(separatedBy: "control.socket changed").count == 2, "\(log())")
        // systemd is told around each reload, the refused one included: RELOADING=1, then READY=1 again.
        _ = try await Scenario.waitUntil(.seconds(10)) {
            listener.messages.last { $0.hasPrefix("RELOADING=1") || $0.contains("READY=1") }?.contains("READY=1")
                == true
        }
        let messages = listener.messages
        let reloading = messages.indices.filter { messages[$0].hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }
        #expect(reloading.count == 3)
        for index in reloading {
            #expect(messages[(index + 1)...].first { $0.contains("READY=1") }?.contains("STATUS=reloaded;") == true)
        }
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(process.terminationStatus == 0)
    }

    @Test("SIGHUP with another aws.region is refused: manifests without a region stay where their tables are")
    func regionChangeRefused() async throws {
        let name = Scenario.unique("region")
        let scenario = try await Scenario(files: ["manifests/\(name).json": Scenario.manifest(name)])
        let logPath = scenario.folder.file("daemon.log")
        let process = try scenario.startDaemon(logLevel: "info", logPath: logPath)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(try await Scenario.waitUntil(.seconds(30)) { try await scenario.outcomes()[name] == "in_sync" })
        let config = try String(contentsOfFile: scenario.configPath, encoding: .utf8)
        try config.replacingOccurrences(of: #""region": "us-east-1""#, with: #""region": "eu-west-1""#)
            .write(toFile: scenario.configPath, atomically: true, encoding: .utf8)
        kill(process.processIdentifier, SIGHUP)
        let log = { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        #expect(try await Scenario.waitUntil(.seconds(10)) { log().contains("restart the daemon") })
        let cycles = scenario.records().filter { $0.kind == .cycle }.count
        #expect(
            try await Scenario.waitUntil(.seconds(20)) {
                scenario.records().filter { $0.kind == .cycle }.count > cycles
            }
        )
        // Still reconciled in us-east-1, nothing created in eu-west-1, nothing orphaned.
        #expect(scenario.records().filter { $0.table == name }.allSatisfy { $0.region == "us-east-1" })
        #expect(try await scenario.outcomes()[name] == "in_sync")
        let elsewhere = try await scenario.boto(
            "print(len(boto3.client('dynamodb', endpoint_url=endpoint, region_name='eu-west-1', "
                + "aws_access_key_id='AKIDTEST', aws_secret_access_key='x').list_tables()['TableNames']))"
        )
        #expect(elsewhere == "0")
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
    }

    @Test("SIGTERM while 1,000 tables are read through a slow endpoint: exit 0 within 10 s")
    func stopDuringObserve() async throws {
        var files: [String: String] = [:]
        let prefix = Scenario.unique("many")
        for index in 0..<1000 {
            let name = "\(prefix)-\(index)"
            files["manifests/\(name).json"] = #"{"tableName": "\#(name)", "partitionKey": {"name": "id", "type": "S"}}"#
        }
        let scenario = try await Scenario(files: files)
        // Every DescribeTable takes a second: reading them all would take a minute at 16 at a time.
        try await scenario.aws.control(
            "POST",
            "faults",
            ["operation": "DescribeTable", "kind": "slow", "count": 1000, "delay": 1.0]
        )
        let process = try scenario.startDaemon()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        #expect(
            try await Scenario.waitUntil(.seconds(30)) {
                try await scenario.aws.journal(operation: "DescribeTable").count >= 16
            }
        )
        let started = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        await process.exited()
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(process.terminationStatus == 0)
        // The stop reached the observe phase: no table was started after it (16 were in flight).
        #expect(try await scenario.aws.journal(operation: "DescribeTable").count < 48)
        #expect(try await scenario.aws.journal(operation: "CreateTable").isEmpty)
    }
}
