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

}
