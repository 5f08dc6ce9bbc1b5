import Foundation
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

    static func run(_ command: String, profile: String) throws(AWSError) -> AWSCredentials {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw AWSError.credentials("credential_process of profile \(profile) could not be started")
        }
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        // Pipe handles are not closed when released; the daemon runs this at every refresh.
        try? stdout.fileHandleForReading.close()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw AWSError.credentials(
                "credential_process of profile \(profile) exited with status \(process.terminationStatus)"
            )
        }
        guard let output = try? JSONDecoder().decode(Output.self, from: data), output.Version == 1 else {
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
