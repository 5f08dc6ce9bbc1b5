import Foundation

/// A real git remote made with the git CLI: a bare `origin.git` and a work tree that commits and pushes.
public final class GitFixture: Sendable {
    /// The folder holding both.
    public let directory: TemporaryDirectory
    /// The bare remote's path.
    public var remotePath: String { directory.file("origin.git") }
    /// The remote as a file:// URL.
    public var url: String { "file://\(remotePath)" }
    /// The work tree's path.
    public var workPath: String { directory.file("work") }

    /// Creates an empty remote with a `main` branch holding `files` (path → text).
    public init(files: [String: String], branch: String = "main") async throws {
        directory = TemporaryDirectory("tablekeeper-git")
        try await git(["init", "-q", "--bare", "-b", branch, remotePath], in: directory.path)
        try await git(["init", "-q", "-b", branch, workPath], in: directory.path)
        try await commit(files: files, message: "initial manifests")
    }

    /// Runs git with a fixed identity and no global or system configuration.
    @discardableResult
    public func git(_ arguments: [String], in folder: String? = nil) async throws -> String {
        let result = try await ProcessRunner.run(
            "/usr/bin/git",
            [
                "-c", "user.name=Test Operator", "-c", "user.email=operator@example.invalid", "-c",
                "commit.gpgsign=false",
            ]
                + arguments,
            environment: ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "HOME": directory.path],
            directory: folder ?? workPath
        )
        guard result.status == 0 else {
            throw FixtureError(description: "git \(arguments.joined(separator: " ")): \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Writes files (nil removes), commits and pushes; returns the new commit id.
    @discardableResult
    public func commit(files: [String: String?], message: String, signingKey: String? = nil) async throws -> String {
        for (path, text) in files {
            let target = (workPath as NSString).appendingPathComponent(path)
            if let text {
                try FileManager.default.createDirectory(
                    atPath: (target as NSString).deletingLastPathComponent,
                    withIntermediateDirectories: true
                )
                try text.write(toFile: target, atomically: true, encoding: .utf8)
            } else {
                try? FileManager.default.removeItem(atPath: target)
            }
        }
        try await git(["add", "-A"])
        let signing = signingKey.map { ["-c", "gpg.format=ssh", "-c", "user.signingkey=\($0)"] } ?? []
        try await git(signing + ["commit", "-q", "--allow-empty", "-m", message] + (signingKey == nil ? [] : ["-S"]))
        try await git(["push", "-q", "--force", remotePath, "HEAD:main"])
        return try await git(["rev-parse", "HEAD"])
    }

    struct FixtureError: Error, CustomStringConvertible {
        var description: String
    }
}
