import FoundationEssentials
import Glibc
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

    /// How long the helper may take; then it and everything it started are killed.
    static let timeout: Duration = .seconds(60)
    /// The most it may print (the JSON is a few KB).
    static let outputLimit = 1 << 20

    /// Runs `command` as botocore does (split into arguments like a POSIX shell would, run without a shell, the
    /// program looked up on `PATH`) on a thread of its own, under a timeout, and decodes what it prints.
    static func run(_ command: String, profile: String) async throws(AWSError) -> AWSCredentials {
        guard let arguments = CommandLineSplitter.split(command), let program = arguments.first else {
            throw AWSError.credentials(
                "credential_process of profile \(profile) is empty or has an unterminated quote; fix it in the AWS "
                    + "config file"
            )
        }
        let environment = ProcessInfo.processInfo.environment
        guard let executable = CommandLineSplitter.resolve(program, path: environment["PATH"]) else {
            throw AWSError.credentials(
                "credential_process of profile \(profile): \(program) is not an executable file (give its full path)"
            )
        }
        let result = await withCheckedContinuation { continuation in
            startThread {
                continuation.resume(
                    returning: Result { () throws(ChildProcess.SpawnError) in
                        try ChildProcess.run(
                            executable: executable,
                            arguments: Array(arguments.dropFirst()),
                            environment: environment,
                            timeout: timeout,
                            outputLimit: outputLimit
                        )
                    }
                )
            }
        }
        // Its stderr is not shown: a credential helper may print secrets there.
        guard case .success(let (exit, data, _, timedOut)) = result else {
            throw AWSError.credentials("credential_process of profile \(profile) could not be started")
        }
        if timedOut {
            throw AWSError.credentials(
                "credential_process of profile \(profile) did not finish within \(timeout.components.seconds) s and "
                    + "was killed with everything it started"
            )
        }
        if data.count > outputLimit {
            throw AWSError.credentials(
                "credential_process of profile \(profile) printed more than \(outputLimit) bytes and was killed"
            )
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

/// Splits a command line as Python's `shlex.split` does in POSIX mode (what botocore uses for
/// `credential_process`): white space separates words; single quotes keep everything; inside double quotes a
/// backslash escapes only `\\` and `\"`; a backslash outside quotes keeps the next character.
public enum CommandLineSplitter {
    /// The words, or nil for an unterminated quote or a trailing backslash.
    public static func split(_ line: String) -> [String]? {
        var words: [String] = []
        var word = ""
        var inWord = false
        var iterator = Array(line).makeIterator()
        while let character = iterator.next() {
            switch character {
            case " ", "\t", "\n", "\r":
                if inWord { words.append(word) }
                word = ""
                inWord = false
            case "'":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "'" {
                        closed = true
                        break
                    }
                    word.append(next)
                }
                if !closed { return nil }
            case "\"":
                inWord = true
                var closed = false
                while let next = iterator.next() {
                    if next == "\"" {
                        closed = true
                        break
                    }
                    if next == "\\" {
                        guard let escaped = iterator.next() else { return nil }
                        if !["\\", "\""].contains(escaped) { word.append("\\") }
                        word.append(escaped)
                        continue
                    }
                    word.append(next)
                }
                if !closed { return nil }
            case "\\":
                guard let escaped = iterator.next() else { return nil }
                inWord = true
                word.append(escaped)
            default:
                inWord = true
                word.append(character)
            }
        }
        if inWord { words.append(word) }
        return words
    }

    /// The program's path: as given when it holds a slash, else the first executable of that name on `path`.
    public static func resolve(_ program: String, path: String?) -> String? {
        if program.contains("/") { return access(program, X_OK) == 0 ? program : nil }
        for folder in (path ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}
