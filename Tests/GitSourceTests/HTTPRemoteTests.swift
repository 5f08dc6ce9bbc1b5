import Foundation
import GitSource
import Logging
import TestSupport
import Testing

/// The git source over smart HTTP (`git http-backend` on loopback), with and without a token.
@Suite("Git source over HTTP")
struct HTTPRemoteTests {
    static let manifest = #"{"tableName": "orders", "partitionKey": {"name": "id", "type": "S"}}"#

    func source(_ fixture: GitFixture, port: Int, auth: GitAuth = GitAuth()) -> GitSource {
        GitSource(
            configuration: GitSourceConfiguration(
                url: "http://127.0.0.1:\(port)/origin.git",
                cacheDirectory: fixture.directory.file("cache-\(UUID().uuidString.prefix(6))/repo"),
                auth: auth,
                deadline: .seconds(30)
            ),
            workerExecutable: RepositoryPaths.binary,
            logger: Logger(label: "test")
        )
    }

    @Test("clone and fetch over http")
    func plainHTTP() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let server = try await gitHTTPServer(root: fixture.directory.path)
        let git = source(fixture, port: server.port)
        guard case .snapshot(let first, _) = await git.poll() else {
            Issue.record("no snapshot")
            return
        }
        #expect(first.files.map(\.path) == ["manifests/a.json"])
        let head = try await fixture.commit(files: ["manifests/b.json": Self.manifest], message: "b")
        guard case .snapshot(let second, _) = await git.poll() else {
            Issue.record("no snapshot")
            return
        }
        #expect(second.revision == head)
        #expect(second.files.count == 2)
    }

    @Test("a token read from a file authenticates; a missing or wrong one is a clear auth error")
    func token() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let server = try await gitHTTPServer(root: fixture.directory.path, password: "s3cret-token")
        guard case .failed(let missing, _) = await source(fixture, port: server.port).poll() else {
            Issue.record("no failure")
            return
        }
        #expect(missing.code == "auth")
        #expect(missing.message.contains("none are configured"))
        let wrong = try fixture.directory.write("wrong-token", "not-it\n")
        guard
            case .failed(let refused, _) = await source(fixture, port: server.port, auth: GitAuth(tokenFile: wrong))
                .poll()
        else {
            Issue.record("no failure")
            return
        }
        #expect(refused.code == "auth")
        #expect(!refused.message.contains("not-it"))
        let right = try fixture.directory.write("token", "s3cret-token\n")
        guard
            case .snapshot(let snapshot, _) = await source(fixture, port: server.port, auth: GitAuth(tokenFile: right))
                .poll()
        else {
            Issue.record("the token was refused")
            return
        }
        #expect(snapshot.files.count == 1)
    }
}

/// `Resources/git_http_server.py` on a free loopback port, killed when released.
func gitHTTPServer(root: String, password: String? = nil) async throws -> LoopbackScript {
    let script = Bundle.module.url(forResource: "git_http_server", withExtension: "py", subdirectory: "Resources")!
    return try await LoopbackScript.start([script.path, root] + (password.map { [$0] } ?? []))
}
