import FoundationEssentials
import SystemSupport

/// Verifies a commit's SSH signature with `ssh-keygen -Y verify` against an allowed_signers file
/// (namespace `git`), as `git verify-commit` does with `gpg.format=ssh`.
enum SignatureVerifier {
    static func verify(
        signature: (signature: String, payload: [UInt8])?,
        allowedSignersFile: String
    ) -> WorkerResponse.SignatureCheck {
        guard let signature else {
            return .init(verified: false, detail: "the commit is not signed")
        }
        guard signature.signature.contains("BEGIN SSH SIGNATURE") else {
            return .init(verified: false, detail: "the commit has a non-SSH signature")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tablekeeper-sig-\(UUID().uuidString)"
        )
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let signatureFile = folder.appendingPathComponent("commit.sig")
        do {
            try Data(signature.signature.utf8).write(to: signatureFile)
        } catch {
            return .init(verified: false, detail: "cannot write a temporary file: \(error)")
        }
        let principals = run(
            ["-Y", "find-principals", "-s", signatureFile.path, "-f", allowedSignersFile],
            input: []
        )
        guard principals.status == 0, let principal = principals.output.split(separator: "\n").first else {
            return .init(verified: false, detail: "no allowed signer matches the signature")
        }
        let result = run(
            ["-Y", "verify", "-f", allowedSignersFile, "-I", String(principal), "-n", "git", "-s", signatureFile.path],
            input: signature.payload
        )
        guard result.status == 0 else {
            return .init(verified: false, detail: "the signature does not verify for \(principal)")
        }
        return .init(verified: true, detail: "signed by \(principal)")
    }

    static func run(_ arguments: [String], input: [UInt8]) -> (status: Int32, output: String) {
        guard
            let result = try? ChildProcess.run(
                executable: "/usr/bin/ssh-keygen",
                arguments: arguments,
                environment: ChildEnvironment.filtered(ProcessInfo.processInfo.environment),
                input: input
            )
        else { return (-1, "") }
        return (result.exit.status ?? -1, String(decoding: result.stdout, as: UTF8.self))
    }
}
