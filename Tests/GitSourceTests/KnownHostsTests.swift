import Foundation
import TestSupport
import Testing

@testable import GitSource

@Suite("ssh host keys")
struct KnownHostsTests {
    @Test("a host key is found for host and port, also in hashed known_hosts entries, and not for other hosts")
    func knownHosts() async throws {
        let folder = TemporaryDirectory()
        let keyPath = folder.file("host_ed25519")
        try await ProcessRunner.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", keyPath])
        let publicLine = try String(contentsOfFile: keyPath + ".pub", encoding: .utf8)
        let fields = publicLine.split(separator: " ")
        let blob = try #require(Data(base64Encoded: String(fields[1])))
        let plain = "[127.0.0.1]:2222 \(fields[0]) \(fields[1])\n"
        #expect(KnownHosts.contains([UInt8](blob), host: "127.0.0.1", port: 2222, knownHosts: plain))
        #expect(!KnownHosts.contains([UInt8](blob), host: "127.0.0.1", port: 2200, knownHosts: plain))
        #expect(!KnownHosts.contains([UInt8](blob), host: "git.example.com", port: nil, knownHosts: plain))
        #expect(!KnownHosts.contains([UInt8](blob), host: "127.0.0.1", port: 2222, knownHosts: "@revoked \(plain)"))

        let key = "\(fields[0]) \(fields[1])"
        for (line, revoked) in [
            ("@revoked * \(key)", true), ("@revoked [127.0.0.1]:2222 \(key)", true),
            ("@revoked 127.0.0.* \(key)", false),
            ("@revoked [127.0.0.1]:*,![127.0.0.1]:2222 \(key)", false), ("@revoked git.example.com \(key)", false),
        ] {
            #expect(
                KnownHosts.isRevoked([UInt8](blob), host: "127.0.0.1", port: 2222, knownHosts: plain + line) == revoked,
                "\(line)"
            )
        }
        let hashedFile = try folder.write("known_hosts", plain)
        try await ProcessRunner.run("/usr/bin/ssh-keygen", ["-q", "-H", "-f", hashedFile])
        let hashed = try String(contentsOfFile: hashedFile, encoding: .utf8)
        #expect(hashed.hasPrefix("|1|"))
        #expect(KnownHosts.contains([UInt8](blob), host: "127.0.0.1", port: 2222, knownHosts: hashed))

        let fingerprint = try await ProcessRunner.run("/usr/bin/ssh-keygen", ["-l", "-f", keyPath + ".pub"]).stdout
        #expect(fingerprint.contains(KnownHosts.fingerprint([UInt8](blob))))
    }

    @Test("the host credentials and known_hosts are checked against, also for scp-like ssh URLs")
    func hosts() {
        #expect(FetchCallbacks.hostAndPort("https://git.example.com/ops/t.git")! == ("git.example.com", nil))
        #expect(FetchCallbacks.hostAndPort("ssh://git@git.example.com:2222/ops/t.git")! == ("git.example.com", 2222))
        #expect(FetchCallbacks.hostAndPort("git@git.example.com:ops/t.git")! == ("git.example.com", nil))
        // No host: credentials are refused (the callback fails closed).
        #expect(FetchCallbacks.hostAndPort("/srv/git/t.git") == nil)
        #expect(FetchCallbacks.hostAndPort("file:///srv/git/t.git") == nil)
    }

    @Test("credentials in URLs never reach messages")
    func scrubbing() {
        #expect(
            URLScrubber.scrub("failed to fetch https://bot:s3cret-token@git.example.com/ops/tables.git: 401")
                == "failed to fetch https://git.example.com/ops/tables.git: 401"
        )
        #expect(URLScrubber.scrub("ssh://git@host:22/x") == "ssh://host:22/x")
    }
}
