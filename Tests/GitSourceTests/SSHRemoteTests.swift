import Foundation
import GitSource
import Logging
import TestSupport
import Testing

/// The git source over ssh:// against OpenSSH's sshd on a loopback port, started and stopped by the test.
@Suite("Git source over ssh")
struct SSHRemoteTests {
    static let manifest = #"{"tableName": "orders", "partitionKey": {"name": "id", "type": "S"}}"#

    @Test(
        "an ed25519 key with a known_hosts file or a pinned host key fetches; an unknown host key is refused",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd"))
    )
    func ssh() async throws {
        let fixture = try await GitFixture(files: ["manifests/a.json": Self.manifest])
        let server = try await SSHServer(folder: fixture.directory)
        let url = "ssh://\(NSUserName())@127.0.0.1:\(server.port)\(fixture.remotePath)"
        func source(_ auth: GitAuth) -> GitSource {
            GitSource(
                configuration: GitSourceConfiguration(
                    url: url,
                    cacheDirectory: fixture.directory.file("cache-\(UUID().uuidString.prefix(6))/repo"),
                    auth: auth,
                    deadline: .seconds(30)
                ),
                workerExecutable: RepositoryPaths.binary,
                logger: Logger(label: "test")
            )
        }
        let knownHosts = try fixture.directory.write(
            "known_hosts",
            "[127.0.0.1]:\(server.port) \(server.hostPublicKey)\n"
        )
        guard
            case .snapshot(let snapshot, _) = await source(
                GitAuth(sshKeyFile: server.clientKey, sshKnownHostsFile: knownHosts)
            ).poll()
        else {
            Issue.record("no snapshot over ssh with known_hosts")
            return
        }
        #expect(snapshot.files.map(\.path) == ["manifests/a.json"])

        guard
            case .snapshot = await source(
                GitAuth(sshKeyFile: server.clientKey, sshHostKeyFingerprint: server.hostFingerprint)
            ).poll()
        else {
            Issue.record("no snapshot over ssh with a pinned host key")
            return
        }

        let otherHosts = try fixture.directory.write(
            "other_known_hosts",
            "[127.0.0.1]:\(server.port + 1) \(server.hostPublicKey)\n"
        )
        guard
            case .failed(let error, _) = await source(
                GitAuth(sshKeyFile: server.clientKey, sshKnownHostsFile: otherHosts)
            ).poll()
        else {
            Issue.record("an unknown host key was accepted")
            return
        }
        #expect(error.code == "host-key")
        #expect(error.message.contains("unknown ssh host key SHA256:"))

        // A key marked @revoked is refused even where another line, or a pin, vouches for it.
        let revoked = try fixture.directory.write(
            "revoked_known_hosts",
            "[127.0.0.1]:\(server.port) \(server.hostPublicKey)\n@revoked * \(server.hostPublicKey)\n"
        )
        for auth in [
            GitAuth(sshKeyFile: server.clientKey, sshKnownHostsFile: revoked),
            GitAuth(
                sshKeyFile: server.clientKey,
                sshKnownHostsFile: revoked,
                sshHostKeyFingerprint: server.hostFingerprint
            ),
        ] {
            guard case .failed(let refused, _) = await source(auth).poll() else {
                Issue.record("a revoked host key was accepted")
                return
            }
            #expect(refused.code == "host-key")
            #expect(refused.message.contains("marked @revoked"), "\(refused.message)")
        }
    }
}

/// OpenSSH's sshd on a free loopback port, with its own host key and one authorized ed25519 client key.
final class SSHServer: Sendable {
    let port: Int
    let pid: Int32
    let clientKey: String
    let hostPublicKey: String
    let hostFingerprint: String

    init(folder: TemporaryDirectory) async throws {
        let hostKey = folder.file("ssh_host_ed25519")
        clientKey = folder.file("client_ed25519")
        try await ProcessRunner.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey])
        try await ProcessRunner.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", clientKey])
        hostPublicKey = try String(contentsOfFile: hostKey + ".pub", encoding: .utf8).split(separator: " ").prefix(2)
            .joined(separator: " ")
        let listing = try await ProcessRunner.run(
            "/usr/bin/ssh-keygen",
            ["-l", "-E", "sha256", "-f", hostKey + ".pub"]
        )
        .stdout
        hostFingerprint = String(listing.split(separator: " ")[1])
        let authorized = try folder.write(
            "authorized_keys",
            try String(contentsOfFile: clientKey + ".pub", encoding: .utf8)
        )
        chmod(authorized, 0o600)
        // sshd wants its privilege-separation folder.
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        port = try MotoServer.freePort()
        let config = try folder.write(
            "sshd_config",
            """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(hostKey)
            AuthorizedKeysFile \(authorized)
            PidFile \(folder.file("sshd.pid"))
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            StrictModes no
            UsePAM no
            """
        )
        // sshd daemonizes itself (it is not this process's child) and is stopped by the pid it writes.
        try await ProcessRunner.run("/usr/sbin/sshd", ["-f", config])
        let deadline = ContinuousClock.now + .seconds(10)
        var written: Int32?
        while ContinuousClock.now < deadline {
            written = (try? String(contentsOfFile: folder.file("sshd.pid"), encoding: .utf8))
                .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            if written != nil, MotoServer.canConnect(port: port) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        pid = written ?? 0
    }

    deinit {
        if pid > 0 { kill(pid, SIGKILL) }
    }
}
