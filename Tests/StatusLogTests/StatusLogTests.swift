import Foundation
import StatusLog
import TestSupport
import Testing
import UTCTime

@Suite("Status log")
struct StatusLogTests {
    static func tableRecord(
        _ table: String,
        outcome: String,
        cycle: Int = 1,
        changes: [ChangeRecord] = []
    ) -> StatusRecord {
        var record = StatusRecord(time: "2026-11-29T04:29:09.123Z", kind: .table)
        record.cycle = cycle
        record.revision = String(repeating: "a", count: 40)
        record.manifest = "manifests/\(table).json"
        record.table = table
        record.region = "us-east-1"
        record.outcome = outcome
        record.changes = changes
        record.message = "a \"quoted\" message\nwith a newline"
        return record
    }

    static func cycleRecord(_ cycle: Int) -> StatusRecord {
        var record = StatusRecord(time: "2026-11-29T04:29:10.000Z", kind: .cycle)
        record.cycle = cycle
        record.revision = String(repeating: "b", count: 40)
        record.trigger = "poll"
        record.durationMs = 812
        record.counts = ["in_sync": 40, "created": 1, "flagged": 1]
        return record
    }

    @Test("every record kind round-trips through one JSON line")
    func roundTrip() throws {
        var source = StatusRecord(time: "2026-11-29T04:29:11.000Z", kind: .source)
        source.revision = String(repeating: "c", count: 40)
        source.outcome = "fetched"
        source.message = "fetched cccccccccccc"
        let change = ChangeRecord(field: "encryption", from: "DEFAULT", to: "KMS", action: "flag", reason: "encryption")
        var table = Self.tableRecord("sentinel-requests", outcome: "flagged", changes: [change])
        table.error = nil
        var cycle = Self.cycleRecord(42)
        cycle.counts = Dictionary(uniqueKeysWithValues: StatusRecord.outcomes.map { ($0, 0) }).merging(cycle.counts!) {
            $1
        }
        for record in [table, cycle, source] {
            let line = record.jsonLine
            #expect(!line.contains("\n"))
            #expect(StatusRecord.parse(line: Array(line.utf8)) == record)
        }
        #expect(
            table.jsonLine.hasPrefix(
                #"{"v":1,"time":"2026-11-29T04:29:09.123Z","kind":"table","cycle":1,"revision":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","manifest":"manifests/sentinel-requests.json","table":"sentinel-requests","region":"us-east-1","outcome":"flagged","changes":[{"field":"encryption","from":"DEFAULT","to":"KMS","action":"flag","reason":"encryption"}]"#
            )
        )
        #expect(table.jsonLine.hasSuffix(#","error":null}"#))
    }

    @Test("records are appended, and a restart rebuilds the last state per table")
    func appendAndRebuild() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("status.jsonl")
        let writer = StatusLogWriter(path: path)
        writer.append([Self.tableRecord("a", outcome: "created"), Self.cycleRecord(1)])
        writer.sync()
        let (records, skipped) = StatusLogReader.read(path: path)
        #expect(records.count == 2)
        #expect(skipped == 0)
        let state = StatusLogState(records: records)
        #expect(state.lastCycle == 1)
        #expect(!state.shouldWrite(Self.tableRecord("a", outcome: "created", cycle: 2), actionTaken: false))
        #expect(state.shouldWrite(Self.tableRecord("a", outcome: "in_sync", cycle: 2), actionTaken: false))
        #expect(state.shouldWrite(Self.tableRecord("a", outcome: "created", cycle: 2), actionTaken: true))
        #expect(state.shouldWrite(Self.tableRecord("b", outcome: "in_sync", cycle: 2), actionTaken: false))
        let changed = Self.tableRecord(
            "a",
            outcome: "created",
            changes: [ChangeRecord(field: "x", from: "1", to: "2", action: "update")]
        )
        #expect(state.shouldWrite(changed, actionTaken: false))
    }

    @Test("a torn last line is skipped by readers and ended by the next writer")
    func tornLine() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("status.jsonl")
        let whole = Self.tableRecord("a", outcome: "created").jsonLine + "\n"
        let torn = String(Self.cycleRecord(1).jsonLine.prefix(30))
        try (whole + torn).write(toFile: path, atomically: true, encoding: .utf8)
        #expect(StatusLogReader.read(path: path).skippedLines == 1)
        let writer = StatusLogWriter(path: path)
        writer.append([Self.cycleRecord(2)])
        writer.sync()
        let (records, skipped) = StatusLogReader.read(path: path)
        #expect(records.map(\.kind) == [.table, .cycle])
        #expect(records.last?.cycle == 2)
        #expect(skipped == 1)
    }

    @Test("rotation keeps the newest files and readers read across them in order")
    func rotation() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("status.jsonl")
        let writer = StatusLogWriter(path: path, maxBytes: 2000, keep: 3)
        for cycle in 1...40 {
            writer.append([Self.cycleRecord(cycle)])
        }
        writer.sync()
        let files = StatusLogReader.files(path: path)
        #expect(files.count == 4)
        #expect(!FileManager.default.fileExists(atPath: "\(path).4"))
        let cycles = StatusLogReader.read(path: path).records.compactMap(\.cycle)
        #expect(cycles == cycles.sorted())
        #expect(cycles.last == 40)
        for file in files {
            let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            #expect(size <= 2000)
        }
    }

    @Test("an unwritable log keeps records in memory and writes them when it can")
    func unwritable() throws {
        let folder = TemporaryDirectory()
        let blocked = folder.file("blocked")
        // A file where the log's folder should be: the log cannot be created.
        try "x".write(toFile: blocked, atomically: true, encoding: .utf8)
        let path = "\(blocked)/status.jsonl"
        let writer = StatusLogWriter(path: path)
        writer.append([Self.cycleRecord(1)])
        #expect(!writer.isHealthy)
        #expect(writer.lastError?.contains("status.jsonl") == true)
        try FileManager.default.removeItem(atPath: blocked)
        writer.append([Self.cycleRecord(2)])
        writer.sync()
        #expect(writer.isHealthy)
        #expect(StatusLogReader.read(path: path).records.compactMap(\.cycle) == [1, 2])
    }

    @Test("the summary shows each current table once, what needs a person first")
    func summary() {
        var invalid = Self.tableRecord("orders.json", outcome: "invalid")
        invalid.manifest = "manifests/orders.json"
        var fixed = Self.tableRecord("orders", outcome: "created")
        fixed.manifest = "manifests/orders.json"
        let records = [
            Self.tableRecord("b", outcome: "in_sync"), Self.tableRecord("a", outcome: "created"), invalid,
            Self.tableRecord("c", outcome: "failed"), Self.tableRecord("a", outcome: "flagged"), Self.cycleRecord(3),
            fixed,
        ]
        let summary = StatusSummary(records: records)
        #expect(summary.tables.map { $0.table ?? "" } == ["a", "c", "b", "orders"])
        #expect(summary.tables.first?.outcome == "flagged")
        #expect(summary.needsAttention)
        #expect(summary.lastCycle?.cycle == 3)
    }

    @Test("reading only the latest records gives the same state as reading everything")
    func latestOnly() throws {
        let folder = TemporaryDirectory()
        let path = folder.file("status.jsonl")
        let writer = StatusLogWriter(path: path, maxBytes: 20_000, keep: 10)
        for cycle in 1...200 {
            var records = [Self.cycleRecord(cycle)]
            if cycle % 7 == 0 {
                records.insert(
                    Self.tableRecord("t\(cycle % 5)", outcome: cycle % 2 == 0 ? "flagged" : "in_sync", cycle: cycle),
                    at: 0
                )
            }
            writer.append(records)
        }
        writer.sync()
        let full = StatusLogReader.read(path: path)
        let latest = StatusLogReader.read(path: path, latestCycleOnly: true)
        #expect(latest.records.count < full.records.count)
        #expect(latest.records.filter { $0.kind == .cycle }.map(\.cycle) == [200])
        #expect(StatusSummary(records: latest.records).tables == StatusSummary(records: full.records).tables)
        let fullState = StatusLogState(records: full.records)
        let latestState = StatusLogState(records: latest.records)
        #expect(latestState.lastCycle == fullState.lastCycle)
        #expect(latestState.lastTableRecords == fullState.lastTableRecords)
    }

    @Test("a repeated source failure is worth one record")
    func repeatedSourceFailure() {
        var failure = StatusRecord(time: "2026-11-29T04:29:11.000Z", kind: .source)
        failure.outcome = "fetch_failed"
        failure.message = "git fetch did not finish within 60 s"
        var state = StatusLogState()
        #expect(state.shouldWrite(source: failure))
        state.observe(failure)
        #expect(!state.shouldWrite(source: failure))
        var other = failure
        other.message = "authentication failed"
        #expect(state.shouldWrite(source: other))
    }

    @Test("a failed read or a CreateTable answered \"in use\" between a creation and its TTL keeps the creation")
    func creationSurvivesFailedRead() {
        func record(
            _ outcome: String,
            _ changes: [ChangeRecord],
            at time: String = "2026-12-03T00:00:00Z"
        )
            -> StatusRecord
        {
            var record = StatusRecord(time: time, kind: .table)
            record.table = "t"
            record.region = "us-east-1"
            record.outcome = outcome
            record.changes = changes
            return record
        }
        let created = record(
            "created",
            [
                ChangeRecord(field: "table", from: "absent", to: "present", action: "create"),
                ChangeRecord(field: "ttlAttribute", from: "disabled", to: "ttl", action: "create"),
            ]
        )
        let state = StatusLogState(records: [created, record("failed", []), record("pending", [])])
        #expect(state.creationTTL("us-east-1/t") == nil)
        let kept = StatusLogState(records: [created, record("failed", [])])
        #expect(kept.creationTTL("us-east-1/t") == "ttl")
        #expect(kept.isBeingCreated("us-east-1/t"))

        // DescribeTable lags behind CreateTable: the next cycle sends CreateTable again and is answered "in use".
        let inUse = record("pending", created.changes ?? [])
        let again = StatusLogState(records: [created, inUse])
        #expect(again.isBeingCreated("us-east-1/t"))
        #expect(again.creationTTL("us-east-1/t") == "ttl")
        let pitr = ChangeRecord(field: "pointInTimeRecovery", from: "false", to: "true", action: "update")
        let finishing = StatusLogState(records: [created, inUse, record("pending", [created.changes![1], pitr])])
        #expect(finishing.isBeingCreated("us-east-1/t"))
        let done = StatusLogState(records: [created, inUse, record("updated", [pitr])])
        #expect(!done.isBeingCreated("us-east-1/t"))
        #expect(done.creationTTL("us-east-1/t") == nil)
        // A CreateTable that failed was never Tablekeeper's creation, even when a table of that name shows up
        // (someone else's, CREATING, its tags not readable yet).
        let refused = StatusLogState(records: [record("failed", created.changes ?? [])])
        #expect(!refused.isBeingCreated("us-east-1/t"))
        let theirs = StatusLogState(records: [
            record("failed", created.changes ?? []), record("pending", [created.changes![1], pitr]),
        ])
        #expect(!theirs.isBeingCreated("us-east-1/t"))
        // Found missing well after its creation: it was deleted, and a table of that name now is not the one made.
        let gone = StatusLogState(records: [
            created, record("pending", created.changes ?? [], at: "2026-12-03T00:05:00Z"),
            record("pending", [created.changes![1], pitr], at: "2026-12-03T00:05:05Z"),
        ])
        #expect(!gone.isBeingCreated("us-east-1/t"))

        // With the creation time CreateTable answered, the table tells itself apart, whenever it is looked at
        // (a restart, or a table swapped while the daemon was away and never seen missing).
        var made = created
        made.tableCreated = "2026-12-03T00:00:01.250Z"
        let line = StatusRecord.parse(line: Array(made.jsonLine.utf8))
        #expect(line?.tableCreated == made.tableCreated)
        let restarted = StatusLogState(records: [line ?? made, record("pending", [created.changes![1], pitr])])
        #expect(restarted.isBeingCreated("us-east-1/t", tableCreated: UTCTime.parse("2026-12-03T00:00:01.250Z")))
        #expect(!restarted.isBeingCreated("us-east-1/t", tableCreated: UTCTime.parse("2026-12-03T00:04:00Z")))
        // Found missing long after, then back: still the same table if it is the same creation (DescribeTable
        // answered wrongly), not if it was made again.
        let back = StatusLogState(records: [
            made, record("pending", created.changes ?? [], at: "2026-12-03T00:05:00Z"),
        ])
        #expect(back.isBeingCreated("us-east-1/t", tableCreated: UTCTime.parse("2026-12-03T00:00:01.250Z")))
        #expect(!back.isBeingCreated("us-east-1/t", tableCreated: UTCTime.parse("2026-12-03T00:05:03Z")))
    }
}
