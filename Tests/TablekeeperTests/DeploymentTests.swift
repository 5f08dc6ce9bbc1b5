import Foundation
import TestSupport
import Testing

/// What ships in `deploy/`.
@Suite("deployment")
struct DeploymentTests {
    @Test("the systemd unit passes systemd-analyze verify with an exposure of 2.0 or lower")
    func unit() async throws {
        let result = try await ProcessRunner.run(RepositoryPaths.path("scripts/check-unit"), [RepositoryPaths.binary])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("verify clean"))
    }

    @Test("the unit passes secrets as credentials and binds only the HTTP port")
    func unitTrust() throws {
        let unit = try String(contentsOfFile: RepositoryPaths.path("deploy/tablekeeper.service"), encoding: .utf8)
        let lines = unit.split(separator: "\n").map(String.init)
        #expect(lines.contains("LoadCredential=ssh-key:/etc/tablekeeper/ssh-key"))
        #expect(lines.contains("LoadCredential=webhook-secret:/etc/tablekeeper/webhook-secret"))
        #expect(lines.contains("SocketBindDeny=any"))
        #expect(lines.contains("SocketBindAllow=tcp:9464"))
        let example = try String(contentsOfFile: RepositoryPaths.path("deploy/config.example.json"), encoding: .utf8)
        #expect(example.contains("/run/credentials/tablekeeper.service/ssh-key"))
        #expect(example.contains("/run/credentials/tablekeeper.service/webhook-secret"))
    }

}
