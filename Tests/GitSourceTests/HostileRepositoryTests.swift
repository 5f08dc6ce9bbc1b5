import Foundation
import GitSource
import Logging
import TestSupport
import Testing

/// What anyone who can push may try against the source: huge or deep trees, odd file names, large packs,
/// redirects, and a worker killed from outside.
@Suite("Git source against hostile pushes")
struct HostileRepositoryTests {
    static let manifest = #"{"tableName": "orders", "partitionKey": {"name": "id", "type": "S"}}"#

    func source(_ fixture: GitFixture, url: String? = nil, limits: SourceLimits = SourceLimits()) -> GitSource {
        GitSource(
            configuration: GitSourceConfiguration(
                url: url ?? fixture.url,
                cacheDirectory: fixture.directory.file("cache/repo"),
                deadline: .seconds(30),
                limits: limits
            ),
            workerExecutable: RepositoryPaths.binary,
            logger: Logger(label: "test")
        )
    }

    @discardableResult
    /// Runs a shell script in the fixture's work tree (git plumbing the CLI offers) and returns its output.
    func shell(_ fixture: GitFixture, _ script: String) async throws -> String {
        let result = try await ProcessRunner.run(
            "/bin/sh",
            ["-c", "set -e; cd '\(fixture.workPath)'; " + script],
            environment: [
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": fixture.directory.path,
                "GIT_AUTHOR_NAME": "Pusher", "GIT_AUTHOR_EMAIL": "p@example.invalid", "GIT_COMMITTER_NAME": "Pusher",
                "GIT_COMMITTER_EMAIL": "p@example.invalid", "PATH": "/usr/bin:/bin",
            ]
        )
        guard result.status == 0 else { throw Failure(description: result.stderr) }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    @discardableResult
    /// Pushes a commit whose manifests folder is the tree `script` prints the id of.
    func pushTree(_ fixture: GitFixture, _ script: String) async throws -> String {
        try await shell(
            fixture,
            """
            tree=$(\(script))
            top=$(printf '040000 tree %s\\tmanifests\\n' "$tree" | git mktree)
            commit=$(git commit-tree "$top" -p HEAD -m 'a hostile push')
            git push -q --force '\(fixture.remotePath)' "$commit:refs/heads/main"
            echo "$commit"
            """
        )
    }

    func rejection(_ poll: SourcePoll) -> (SourceRejection, SourceSnapshot?)? {
        guard case .rejected(let rejection, let lastGood) = poll else { return nil }
        return (rejection, lastGood)
    }

    func cacheSiblings(_ fixture: GitFixture) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: fixture.directory.file("cache")).sorted()
    }

    @Test("1,000 entries naming one 1 MiB blob are refused before a blob is read; the last good revision stays")
    func manyEntriesOneBlob() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let git = source(fixture)
        guard case .snapshot(let good, _) = await git.poll() else {
            Issue.record("no first snapshot")
            return
        }
        try await pushTree(
            fixture,
            """
            blob=$(head -c 1048576 /dev/zero | tr '\\0' ' ' | git hash-object -w --stdin)
            i=0; while [ $i -lt 1000 ]; do printf '100644 blob %s\\tm%04d.json\\n' "$blob" $i; i=$((i+1)); done | git mktree
            """
        )
        let started = ContinuousClock.now
        let (refused, lastGood) = try #require(rejection(await git.poll()))
        #expect(refused.outcome == "limit_exceeded")
        #expect(refused.detail.contains("source.maxBytes"), "\(refused.detail)")
        #expect(lastGood?.revision == good.revision)
        #expect(ContinuousClock.now - started < .seconds(20))
        // The cache is the same mirror: nothing moved aside, nothing cloned again.
        let siblings = try cacheSiblings(fixture)
        #expect(Set(siblings).isSubset(of: ["repo", "repo.lock"]), "\(siblings)")
    }

    @Test("more manifests than source.maxFiles, and folders deeper than 64, are refused")
    func filesAndDepth() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        var limits = SourceLimits()
        limits.maxFiles = 5
        let git = source(fixture, limits: limits)
        _ = await git.poll()
        let files = Dictionary(uniqueKeysWithValues: (1...6).map { ("manifests/t\($0).json", Self.manifest) })
        try await fixture.commit(files: files, message: "six more")
        let (tooMany, _) = try #require(rejection(await git.poll()))
        #expect(tooMany.detail.contains("more than 5 manifests (source.maxFiles)"))

        let deep = source(fixture)
        try await pushTree(
            fixture,
            """
            small=$(printf '{}' | git hash-object -w --stdin)
            t=$(printf '100644 blob %s\\ta.json\\n' "$small" | git mktree)
            i=0; while [ $i -lt 70 ]; do t=$(printf '040000 tree %s\\td\\n' "$t" | git mktree); i=$((i+1)); done
            echo "$t"
            """
        )
        let (tooDeep, _) = try #require(rejection(await deep.poll()))
        #expect(tooDeep.detail.contains("nested deeper than 64"), "\(tooDeep.detail)")
    }

    @Test("a file name with control characters is refused as a manifest path, shown escaped")
    func controlCharacters() async throws {
        let fixture = try await GitFixture(files: [
            "manifests/a.json": Self.manifest, "manifests/evil\u{1B}[2J\u{202E}.json": Self.manifest,
        ])
        guard case .snapshot(let snapshot, _) = await source(fixture).poll() else {
            Issue.record("no snapshot")
            return
        }
        #expect(snapshot.files.map(\.path) == ["manifests/a.json"])
        let problem = try #require(snapshot.problems.first)
        #expect(problem.key == "manifests/evil\\x1b[2J\\u{202e}.json")
        #expect(problem.value.contains("control characters"))
    }

    @Test("a deleted branch is not cache damage; temporary clones are removed; one damaged copy at most")
    func cacheHygiene() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let git = source(fixture)
        _ = await git.poll()
        let cache = fixture.directory.file("cache/repo")
        try FileManager.default.createDirectory(atPath: cache + ".tmp-99999", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: cache + ".damaged-1", withIntermediateDirectories: true)
        _ = try await fixture.git(["update-ref", "-d", "refs/heads/main"], in: fixture.remotePath)
        guard case .failed(let missing, _) = await git.poll() else {
            Issue.record("a deleted branch was not a failure")
            return
        }
        #expect(missing.code == "branch-missing")
        #expect(FileManager.default.fileExists(atPath: cache))
        #expect(!FileManager.default.fileExists(atPath: cache + ".tmp-99999"))
        #expect(try cacheSiblings(fixture).filter { $0.contains("damaged") } == ["repo.damaged-1"])
        // Damage the mirror: it is moved aside, replacing the older damaged copy.
        try await fixture.commit(files: ["manifests/b.json": Self.manifest], message: "back")
        try FileManager.default.removeItem(atPath: "\(cache)/objects")
        try "garbage".write(toFile: "\(cache)/HEAD", atomically: true, encoding: .utf8)
        guard case .snapshot = await git.poll() else {
            Issue.record("no snapshot after the damage")
            return
        }
        let damaged = try cacheSiblings(fixture).filter { $0.contains("damaged") }
        #expect(damaged.count == 1)
        #expect(damaged != ["repo.damaged-1"])
    }

    @Test("a worker killed from outside (the OOM killer) is not a timeout, and the cache is kept")
    func killedWorker() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let stalled = try await LoopbackScript.stalled()
        let git = source(fixture, url: "http://127.0.0.1:\(stalled.port)/origin.git")
        async let poll = git.poll()
        var pid: Int32?
        for _ in 0..<100 where pid == nil {
            try await Task.sleep(for: .milliseconds(50))
            pid = await git.workerProcessID
        }
        try await Task.sleep(for: .milliseconds(300))
        kill(try #require(pid), SIGKILL)
        guard case .failed(let error, _) = await poll else {
            Issue.record("no failure")
            return
        }
        #expect(error.code == "worker")
        #expect(error.message.contains("out-of-memory"), "\(error.message)")
    }

    @Test("a fetch whose pack passes source.maxFetchBytes is aborted")
    func packLimit() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        try await shell(fixture, "head -c 3000000 /dev/urandom | base64 > big.txt; git add big.txt; git commit -qm big")
        try await fixture.git(["push", "-q", "--force", fixture.remotePath, "HEAD:main"])
        let server = try await gitHTTPServer(root: fixture.directory.path)
        var limits = SourceLimits()
        limits.maxFetchBytes = 1 << 20
        let git = source(fixture, url: "http://127.0.0.1:\(server.port)/origin.git", limits: limits)
        let (refused, _) = try #require(rejection(await git.poll()))
        #expect(refused.outcome == "limit_exceeded")
        #expect(refused.detail.contains("source.maxFetchBytes"), "\(refused.detail)")
    }

    @Test("a redirect to another host is not followed")
    func redirect() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let server = try await gitHTTPServer(root: fixture.directory.path)
        // Answers every request with a redirect to the real server under another host name.
        let redirector = try await LoopbackScript.start([
            "-c",
            """
            import sys
            from http.server import BaseHTTPRequestHandler, HTTPServer
            class H(BaseHTTPRequestHandler):
                def do_GET(self):
                    self.send_response(302)
                    self.send_header("Location", "http://localhost:\(server.port)" + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                def log_message(self, *a): pass
            s = HTTPServer(("127.0.0.1", 0), H)
            print(s.server_address[1], flush=True)
            s.serve_forever()
            """,
        ])
        let git = source(fixture, url: "http://127.0.0.1:\(redirector.port)/origin.git")
        guard case .failed(let error, _) = await git.poll() else {
            Issue.record("the redirect was followed")
            return
        }
        #expect(error.code == "network" || error.code == "other", "\(error)")
    }
}
