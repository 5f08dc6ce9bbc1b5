import FoundationEssentials
import SystemSupport
import UTCTime

/// Runs a profile's `credential_process` and reads the JSON it prints (Version 1).
enum CredentialProcess {
    struct Output: Decodable {
        var Version: Int
        var AccessKeyId: String
        var SecretAccessKey: String
        var SessionToken: String?
        var Expiration: String?
    }

    /// Runs `command` with `/bin/sh -c` on a thread of its own (it may take a while) and decodes what it prints.
    static func run(_ command: String, profile: String) async throws(AWSError) -> AWSCredentials {
        let result = await withCheckedContinuation { continuation in
            startThread {
                continuation.resume(
                    returning: Result { () throws(ChildProcess.SpawnError) in
                        try ChildProcess.run(
                            executable: "/bin/sh",
                            arguments: ["-c", command],
                            environment: ProcessInfo.processInfo.environment
                        )
                    }
                )
            }
        }
        // Its stderr is not shown: a credential helper may print secrets there.
        guard case .success(let (exit, data, _)) = result else {
            throw AWSError.credentials("credential_process of profile \(profile) could not be started")
        }
        guard exit.status == 0 else {
            let how = exit.status.map { "exited with status \($0)" } ?? "was killed by signal \(exit.signal ?? 0)"
            throw AWSError.credentials("credential_process of profile \(profile) \(how)")
        }
        guard let output = try? JSONDecoder().decode(Output.self, from: Data(data)), output.Version == 1 else {
            throw AWSError.credentials("credential_process of profile \(profile) did not print Version 1 JSON")
        }
        return AWSCredentials(
            accessKeyID: output.AccessKeyId,
            secretAccessKey: output.SecretAccessKey,
            sessionToken: output.SessionToken,
            expiration: output.Expiration.flatMap(UTCTime.parse),
            source: "credential_process (profile \(profile))"
        )
    }
}
