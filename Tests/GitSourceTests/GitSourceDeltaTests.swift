import Foundation
import GitSource
import Logging
import TestSupport
import Testing

/// After the first poll the worker sends only what changed since the known tree; the snapshot built from
/// those changes must equal the one a fresh source reads in full.
@Suite("Git source deltas")
struct GitSourceDeltaTests {
    func source(_ fixture: GitFixture, cache: String) -> GitSource {
        GitSource(
            configuration: GitSourceConfiguration(
                url: fixture.url,
                cacheDirectory: fixture.directory.file(cache),
                deadline: .seconds(30)
            ),
            workerExecutable: RepositoryPaths.binary,
            logger: Logger(label: "test")
        )
    }

    /// Polls `following` (which sees a delta) and a fresh source (a full read) at the head `head`; both must agree.
    /// Returns the full read.
    @discardableResult
    func expectSameAsFullRead(
        _ following: GitSource,
        _ fixture: GitFixture,
        head: String,
        step: Int
    ) async throws -> SourceSnapshot {
        guard case .snapshot(let delta, _) = await following.poll(),
            case .snapshot(let full, _) = await source(fixture, cache: "cache/fresh-\(step)").poll()
        else {
            throw DeltaError(description: "step \(step): a poll failed")
        }
        #expect(delta.revision == head)
        #expect(delta.files.map(\.path) == full.files.map(\.path), "step \(step)")
        #expect(delta.files.map(\.blob) == full.files.map(\.blob), "step \(step)")
        #expect(delta.files.map(\.bytes) == full.files.map(\.bytes), "step \(step)")
        #expect(delta.problems == full.problems, "step \(step)")
        return full
    }

    struct DeltaError: Error, CustomStringConvertible {
        var description: String
    }

    func manifest(_ name: String, _ extra: String = "") -> String {
        #"{"tableName": "\#(name)", "partitionKey": {"name": "id", "type": "S"}\#(extra)}"#
    }

    @Test("edits, additions, removals, renames and files growing past the size limit and back")
    func deltasMatchFullReads() async throws {
        let big = "{\"padding\": \"" + String(repeating: "x", count: 1 << 20) + "\"}"
        let fixture = try await GitFixture(files: [
            "manifests/a.json": manifest("a"), "manifests/b.json": manifest("b"),
            "manifests/team/c.json": manifest("c"), "manifests/huge.json": big,
        ])
        let following = source(fixture, cache: "cache/following")
        let steps: [[String: String?]] = [
            ["manifests/a.json": manifest("a", #", "tags": {"x": "1"}"#)],
            ["manifests/d.json": manifest("d"), "manifests/b.json": nil],
            ["manifests/team/e.json": manifest("c"), "manifests/team/c.json": nil],  // a rename: same blob
            ["manifests/a.json": big],  // grows past the limit: a problem, no longer a file
            ["manifests/other.txt": "unrelated"],  // the oversized files stay problems
            ["manifests/a.json": manifest("a"), "manifests/huge.json": nil],  // back under the limit; removed
            ["manifests/team/e.json": nil, "manifests/team/f.json": manifest("f")],
        ]
        _ = await following.poll()
        for (index, files) in steps.enumerated() {
            let head = try await fixture.commit(files: files, message: "step \(index)")
            try await expectSameAsFullRead(following, fixture, head: head, step: index)
        }
    }

    @Test("names that are not UTF-8, folders and files swapping places, symlinks, modes and dot-folders")
    func oddChanges() async throws {
        let fixture = try await GitFixture(files: [
            "manifests/a.json": manifest("a"), "manifests/team/b.json": manifest("b"),
            "manifests/team/sub/c.json": manifest("c"), "manifests/x.json": manifest("x"),
        ])
        let following = source(fixture, cache: "cache/following")
        _ = await following.poll()
        let steps = [
            #"printf '{}' > "$(printf 'manifests/caf\351.json')""#,
            "rm -r manifests/team && printf 'not a folder' > manifests/team",
            "rm manifests/x.json && mkdir manifests/x.json && printf '{}' > manifests/x.json/y.json",
            "rm manifests/a.json && ln -s x.json/y.json manifests/a.json",
            #"rm "$(printf 'manifests/caf\351.json')" && mkdir -p manifests/.drafts && printf '{}' > manifests/.drafts/d.json"#,
            "chmod +x manifests/x.json/y.json",
            "rm manifests/team && mkdir -p manifests/team && printf '{}' > manifests/team/b.json",
        ]
        for (index, script) in steps.enumerated() {
            let shell = try await ProcessRunner.run("/bin/sh", ["-c", script], directory: fixture.workPath)
            #expect(shell.status == 0, "\(shell.stderr)")
            let head = try await fixture.commit(files: [:], message: "step \(index)")
            let full = try await expectSameAsFullRead(following, fixture, head: head, step: index)
            if index == 0 { #expect(full.problems.values.contains { $0.contains("not UTF-8") }) }
            if index == 4 { #expect(full.problems.isEmpty) }
        }
    }
}

/// The worker is kept between polls and replaced when it is gone.
@Suite("Git worker kept between polls")
struct KeptWorkerTests {
    @Test("one worker serves many polls; one killed between polls is replaced without a failed poll")
    func replaced() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": #"{"tableName": "a"}"#])
        let source = GitSource(
            configuration: GitSourceConfiguration(url: fixture.url, cacheDirectory: fixture.directory.file("cache")),
            workerExecutable: RepositoryPaths.binary,
            logger: Logger(label: "test")
        )
        var workers: Set<Int32> = []
        for _ in 0..<3 {
            guard case .snapshot = await source.poll() else { throw KeptWorkerError.pollFailed }
            if let pid = await source.workerProcessID { workers.insert(pid) }
        }
        #expect(workers.count == 1)
        let worker = try #require(workers.first)
        kill(worker, SIGKILL)
        let head = try await fixture.commit(files: ["manifests/b.json": #"{"tableName": "b"}"#], message: "b")
        guard case .snapshot(let snapshot, _) = await source.poll() else { throw KeptWorkerError.pollFailed }
        #expect(snapshot.revision == head)
        #expect(snapshot.files.map(\.path) == ["manifests/a.json", "manifests/b.json"])
        #expect(await source.workerProcessID != worker)
    }

    enum KeptWorkerError: Error {
        case pollFailed
    }
}
