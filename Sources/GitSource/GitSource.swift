import Foundation
public import Logging

/// Where and how to read manifests from git.
public struct GitSourceConfiguration: Sendable, Equatable {
    /// The remote URL.
    public var url: String
    /// The tracked branch.
    public var branch: String
    /// The manifests folder in the repository.
    public var path: String
    /// The bare mirror's folder.
    public var cacheDirectory: String
    /// Credentials.
    public var auth: GitAuth
    /// When set, only commits signed by these signers are applied.
    public var allowedSignersFile: String?
    /// The deadline of one worker run (fetch and read).
    public var deadline: Duration

    /// Creates a configuration.
    public init(
        url: String,
        branch: String = "main",
        path: String = "manifests",
        cacheDirectory: String,
        auth: GitAuth = GitAuth(),
        allowedSignersFile: String? = nil,
        deadline: Duration = .seconds(60)
    ) {
        self.url = url
        self.branch = branch
        self.path = path
        self.cacheDirectory = cacheDirectory
        self.auth = auth
        self.allowedSignersFile = allowedSignersFile
        self.deadline = deadline
    }
}

/// The git source: polls the remote through a worker process under a deadline, keeps the last good
/// snapshot, and caches blob bytes so an unchanged file is never read twice.
public actor GitSource {
    private var configuration: GitSourceConfiguration
    private let workerExecutable: String
    private let logger: Logger
    private var lastGood: SourceSnapshot?
    private var blobs: [String: [UInt8]] = [:]

    /// Creates a source.
    ///
    /// - Parameter workerExecutable: the `tablekeeper` binary whose `git-worker` command does the libgit2 work.
    public init(configuration: GitSourceConfiguration, workerExecutable: String, logger: Logger) {
        self.configuration = configuration
        self.workerExecutable = workerExecutable
        self.logger = logger
    }

    /// The snapshot in force.
    public var current: SourceSnapshot? { lastGood }

    /// Replaces the configuration (after a reload); a new URL or branch starts from a fresh snapshot.
    public func reconfigure(_ new: GitSourceConfiguration) {
        if new.url != configuration.url || new.branch != configuration.branch || new.path != configuration.path {
            lastGood = nil
            blobs = [:]
        }
        configuration = new
    }

    /// Fetches and reads the head of the tracked branch.
    ///
    /// - Parameter offline: read the mirror without fetching.
    public func poll(offline: Bool = false) async -> SourcePoll {
        let request = WorkerRequest(
            url: configuration.url,
            branch: configuration.branch,
            path: configuration.path,
            cacheDirectory: configuration.cacheDirectory,
            auth: configuration.auth,
            allowedSignersFile: configuration.allowedSignersFile,
            knownTree: lastGood?.tree,
            knownBlobs: Array(blobs.keys),
            offline: offline
        )
        let response: WorkerResponse
        do {
            response = try await WorkerProcess.run(
                executable: workerExecutable,
                request: request,
                deadline: configuration.deadline
            )
        } catch {
            if error.code == "timeout-reading" {
                moveCacheAside()
            }
            return .failed(error, lastGood: lastGood)
        }
        if let failure = response.failure {
            return .failed(SourceError(code: failure.code, message: failure.message), lastGood: lastGood)
        }
        guard let revision = response.revision, let tree = response.tree else {
            return .failed(SourceError(code: "worker", message: "the git worker gave no revision"), lastGood: lastGood)
        }
        if let signature = response.signature, !signature.verified {
            return .signatureRejected(revision: revision, detail: signature.detail, lastGood: lastGood)
        }
        let snapshot: SourceSnapshot
        if response.unchanged, var previous = lastGood {
            previous.revision = revision
            previous.author = response.author ?? ""
            previous.time = response.time ?? 0
            previous.summary = response.summary ?? ""
            snapshot = previous
        } else {
            var files: [SnapshotFile] = []
            var seen: [String: [UInt8]] = [:]
            for file in response.files {
                let bytes = file.bytes.flatMap { Data(base64Encoded: $0) }.map { [UInt8]($0) } ?? blobs[file.blob]
                guard let bytes else { continue }
                seen[file.blob] = bytes
                files.append(SnapshotFile(path: file.path, blob: file.blob, bytes: bytes))
            }
            // Only blobs of the newest tree are kept, so the cache never grows beyond one tree.
            blobs = seen
            snapshot = SourceSnapshot(
                revision: revision,
                author: response.author ?? "",
                time: response.time ?? 0,
                summary: response.summary ?? "",
                tree: tree,
                files: files.sorted { $0.path < $1.path },
                problems: Dictionary(response.problems.map { ($0.path, $0.message) }) { first, _ in first }
            )
        }
        let event = Self.event(for: response, previous: lastGood?.revision)
        lastGood = snapshot
        return .snapshot(snapshot, event: event)
    }

    static func event(for response: WorkerResponse, previous: String?) -> SourceEvent? {
        guard let revision = response.revision, revision != previous else { return nil }
        let short = String(revision.prefix(12))
        let summary = response.summary.map { ": \($0)" } ?? ""
        if response.rewritten {
            let old = response.previousRevision.map { String($0.prefix(12)) } ?? "?"
            return SourceEvent(
                outcome: "rewritten",
                message: "history rewritten (force-push): \(old) replaced by \(short)\(summary)"
            )
        }
        let how = response.cloned ? "cloned" : "fetched"
        let recovered = response.recoveredCache ? " (damaged cache moved aside and cloned again)" : ""
        return SourceEvent(outcome: "fetched", message: "\(how) \(short)\(summary)\(recovered)")
    }

    private func moveCacheAside() {
        let path = configuration.cacheDirectory
        let aside = "\(path).damaged-\(Int(Date().timeIntervalSince1970))"
        if (try? FileManager.default.moveItem(atPath: path, toPath: aside)) != nil {
            logger.warning("moved a git cache that hung while being read aside", metadata: ["cache": "\(aside)"])
        }
    }
}
