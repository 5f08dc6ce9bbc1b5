import Foundation
import GitSource
import Logging
import TestSupport
import Testing

/// The git source with its real worker process against repositories made with the git CLI.
@Suite("Git source")
struct GitSourceTests {
    static let manifest = #"{"tableName": "orders", "partitionKey": {"name": "id", "type": "S"}}"#

    func source(
        _ fixture: GitFixture,
        path: String = "manifests",
        deadline: Duration = .seconds(30),
        signers: String? = nil
    )
        -> GitSource
    {
        GitSource(
            configuration: GitSourceConfiguration(
                url: fixture.url,
                branch: "main",
                path: path,
                cacheDirectory: fixture.directory.file("cache/repo"),
                allowedSignersFile: signers,
                deadline: deadline
            ),
            workerExecutable: RepositoryPaths.binary,
            logger: Logger(label: "test")
        )
    }

    func snapshot(_ poll: SourcePoll) throws -> (SourceSnapshot, SourceEvent?) {
        guard case .snapshot(let snapshot, let event) = poll else {
            throw PollError(description: "expected a snapshot, got \(poll)")
        }
        return (snapshot, event)
    }

    struct PollError: Error, CustomStringConvertible {
        var description: String
    }

    @Test("the first poll clones and reads every manifest, skipping schemas, dot-folders, symlinks and other files")
    func firstPoll() async throws {
        let fixture = try await GitFixture(files: [
            "manifests/orders.json": Self.manifest,
            "manifests/team/b.json": Self.manifest,
            "manifests/table.schema.json": "{}",
            "manifests/.drafts/x.json": "{}",
            "manifests/README.md": "hi",
            "other/c.json": "{}",
        ])
        symlink("orders.json", (fixture.workPath as NSString).appendingPathComponent("manifests/link.json"))
        let head = try await fixture.commit(files: [:], message: "add a symlink")
        let (snapshot, event) = try snapshot(await source(fixture).poll())
        #expect(snapshot.revision == head)
        #expect(snapshot.files.map(\.path) == ["manifests/orders.json", "manifests/team/b.json"])
        #expect(snapshot.files.first?.bytes == Array(Self.manifest.utf8))
        #expect(snapshot.author == "Test Operator <operator@example.invalid>")
        #expect(event?.outcome == "fetched")
        #expect(event?.message.hasPrefix("cloned") == true)
    }

    @Test("a new commit is fetched; an unchanged head reuses the snapshot")
    func newCommit() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let git = source(fixture)
        let (first, _) = try snapshot(await git.poll())
        let (same, sameEvent) = try snapshot(await git.poll())
        #expect(same == first)
        #expect(sameEvent == nil)
        let head = try await fixture.commit(files: ["manifests/b.json": Self.manifest], message: "add b")
        let (second, event) = try snapshot(await git.poll())
        #expect(second.revision == head)
        #expect(second.files.map(\.path) == ["manifests/a.json", "manifests/b.json"])
        #expect(second.files.first?.bytes == Array(Self.manifest.utf8))
        #expect(event?.message.contains("add b") == true)
    }

    @Test("a force-push is followed and recorded as a rewrite")
    func forcePush() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let git = source(fixture)
        _ = await git.poll()
        try await fixture.git(["commit", "-q", "--amend", "-m", "rewritten history"])
        try await fixture.git(["push", "-q", "--force", fixture.remotePath, "HEAD:main"])
        let head = try await fixture.git(["rev-parse", "HEAD"])
        let (snapshot, event) = try snapshot(await git.poll())
        #expect(snapshot.revision == head)
        #expect(event?.outcome == "rewritten")
    }

    @Test("a deleted branch is an error and the last good snapshot stays in force")
    func deletedBranch() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let git = source(fixture)
        let (good, _) = try snapshot(await git.poll())
        try await fixture.git(["push", "-q", fixture.remotePath, "HEAD:refs/heads/other"])
        try await fixture.git(
            ["--git-dir", fixture.remotePath, "symbolic-ref", "HEAD", "refs/heads/other"],
            in: fixture.directory.path
        )
        try await fixture.git(["push", "-q", fixture.remotePath, ":main"])
        guard case .failed(let error, let lastGood) = await git.poll() else {
            Issue.record("no failure")
            return
        }
        #expect(error.code == "branch-missing")
        #expect(error.message.contains("branch main does not exist"))
        #expect(lastGood == good)
    }

    @Test("a missing source.path is a clear error")
    func missingPath() async throws {
        let fixture = try await GitFixture(files: ["tables/a.json": Self.manifest])
        guard case .failed(let error, _) = await source(fixture).poll() else {
            Issue.record("no failure")
            return
        }
        #expect(error.code == "path-missing")
        #expect(error.message.contains("source.path manifests is not in revision"))
    }

    @Test("a manifest over 1 MiB is reported by name and the rest is read")
    func largeFile() async throws {
        let fixture = try await GitFixture(files: [
            "manifests/a.json": Self.manifest, "manifests/huge.json": String(repeating: " ", count: 1_100_000),
        ])
        let (snapshot, _) = try snapshot(await source(fixture).poll())
        #expect(snapshot.files.map(\.path) == ["manifests/a.json"])
        #expect(snapshot.problems["manifests/huge.json"]?.contains("over the 1 MiB limit") == true)
    }

    @Test("a remote that accepts connections and never answers is ended by the deadline")
    func stalledRemote() async throws {
        let server = try await LoopbackScript.stalled()
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let git = GitSource(
            configuration: GitSourceConfiguration(
                url: "http://127.0.0.1:\(server.port)/repo.git",
                cacheDirectory: fixture.directory.file("cache/repo"),
                deadline: .seconds(2)
            ),
            workerExecutable: RepositoryPaths.binary,
            logger: Logger(label: "test")
        )
        let started = ContinuousClock.now
        guard case .failed(let error, _) = await git.poll() else {
            Issue.record("no failure")
            return
        }
        #expect(error.code == "timeout")
        #expect(error.message.contains("did not finish within 2 s"))
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test("a damaged cache is moved aside and cloned again")
    func damagedCache() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let git = source(fixture)
        _ = await git.poll()
        let cache = fixture.directory.file("cache/repo")
        try FileManager.default.removeItem(atPath: "\(cache)/objects")
        try "garbage".write(toFile: "\(cache)/HEAD", atomically: true, encoding: .utf8)
        let head = try await fixture.commit(files: ["manifests/b.json": Self.manifest], message: "after the damage")
        let (snapshot, event) = try snapshot(await git.poll())
        #expect(snapshot.revision == head)
        #expect(event?.message.contains("damaged cache moved aside") == true)
    }

    @Test("only commits signed by an allowed signer are applied")
    func signedCommits() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let key = fixture.directory.file("signing_ed25519")
        try await ProcessRunner.run(
            "/usr/bin/ssh-keygen",
            ["-q", "-t", "ed25519", "-N", "", "-C", "signer@example.invalid", "-f", key]
        )
        let publicKey = try String(contentsOfFile: key + ".pub", encoding: .utf8).split(separator: " ").prefix(2)
            .joined(separator: " ")
        let signers = try fixture.directory.write(
            "allowed_signers",
            "signer@example.invalid namespaces=\"git\" \(publicKey)\n"
        )
        let git = source(fixture, signers: signers)
        guard case .rejected(let rejection, let lastGood) = await git.poll(), rejection.outcome == "signature_rejected"
        else {
            Issue.record("an unsigned commit was applied")
            return
        }
        #expect(rejection.detail == "the commit is not signed")
        #expect(lastGood == nil)
        try await fixture.commit(
            files: ["manifests/b.json": Self.manifest],
            message: "signed",
            signingKey: key
        )
        let (snapshot, _) = try snapshot(await git.poll())
        #expect(snapshot.files.count == 2)
        // A rewrite to another signed commit that drops the verified head: refused, the last good one stays.
        try await fixture.git(["reset", "-q", "--hard", "HEAD~1"])
        let rewritten = try await fixture.commit(
            files: ["manifests/c.json": Self.manifest],
            message: "rewritten",
            signingKey: key
        )
        guard case .rejected(let refusal, let kept) = await git.poll(), refusal.outcome == "rewrite_rejected" else {
            Issue.record("a rewrite was applied")
            return
        }
        #expect(refusal.revision == rewritten)
        #expect(refusal.detail.contains("accept-rewrite"))
        #expect(kept?.revision == snapshot.revision)
        // The same again at the next poll (no state changes by itself) …
        guard case .rejected = await git.poll() else {
            Issue.record("a rewrite was applied on the second poll")
            return
        }
        // … until an operator accepts it; then it is the verified head and is applied from then on.
        let (accepted, _) = try self.snapshot(await git.poll(acceptRewrite: true))
        #expect(accepted.revision == rewritten)
        let (after, _) = try self.snapshot(await git.poll())
        #expect(after.revision == rewritten)
        #expect(after.files.map(\.path) == ["manifests/a.json", "manifests/c.json"])
    }
}
