import FoundationEssentials
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
/// snapshot, and applies the worker's list of changes to it, so an unchanged file is never sent twice.
public actor GitSource {
    private var configuration: GitSourceConfiguration
    private let worker: WorkerSession
    private let logger: Logger
    private var lastGood: SourceSnapshot?

    /// Creates a source.
    ///
    /// - Parameter workerExecutable: the `tablekeeper` binary whose `git-worker` command does the libgit2 work.
    public init(configuration: GitSourceConfiguration, workerExecutable: String, logger: Logger) {
        self.configuration = configuration
        self.worker = WorkerSession(executable: workerExecutable)
        self.logger = logger
    }

    /// The kept git worker's pid, if one runs.
    package var workerProcessID: Int32? { worker.processID }

    /// The snapshot in force.
    public var current: SourceSnapshot? { lastGood }

    /// Replaces the configuration (after a reload); a new URL or branch starts from a fresh snapshot.
    public func reconfigure(_ new: GitSourceConfiguration) {
        if new.url != configuration.url || new.branch != configuration.branch || new.path != configuration.path {
            lastGood = nil
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
            offline: offline
        )
        let response: WorkerResponse
        do {
            response = try await worker.run(request, deadline: configuration.deadline)
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
            return .failed(
                SourceError(code: "worker", message: "the git worker gave no revision; the next poll asks again"),
                lastGood: lastGood
            )
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
            // A delta applies to the known tree's files and problems; anything else is the whole listing.
            var kept: [SnapshotFile] = []
            var problems: [String: String] = [:]
            if response.delta {
                // Polls run one at a time, so the known tree is still the last good one; if not, the delta
                // cannot be applied and the next poll asks again.
                guard let previous = lastGood, previous.tree == request.knownTree else {
                    return .failed(
                        SourceError(
                            code: "worker",
                            message: "a change list arrived for a tree no longer held; the next poll asks again"
                        ),
                        lastGood: lastGood
                    )
                }
                let touched = Set(response.removed + response.files.map(\.path) + response.problems.map(\.path))
                kept = previous.files.filter { !touched.contains($0.path) }
                problems = previous.problems.filter { !touched.contains($0.key) }
            }
            for problem in response.problems { problems[problem.path] = problem.message }
            // The worker sends every added or changed file with its bytes, sorted by path.
            let arrived = response.files.compactMap { file -> SnapshotFile? in
                guard let bytes = Data(base64Encoded: file.bytes) else {
                    problems[file.path] =
                        "the git worker sent bytes that are not base64 (a bug: report it; a restart reads the file again)"
                    return nil
                }
                return SnapshotFile(path: file.path, blob: file.blob, bytes: [UInt8](bytes))
            }
            let files = Self.merge(kept, arrived)
            snapshot = SourceSnapshot(
                revision: revision,
                author: response.author ?? "",
                time: response.time ?? 0,
                summary: response.summary ?? "",
                tree: tree,
                files: files,
                problems: problems
            )
        }
        let event = Self.event(for: response, previous: lastGood?.revision)
        lastGood = snapshot
        return .snapshot(snapshot, event: event)
    }

    /// Two lists sorted by path merged into one, in linear time.
    static func merge(_ left: [SnapshotFile], _ right: [SnapshotFile]) -> [SnapshotFile] {
        var merged: [SnapshotFile] = []
        merged.reserveCapacity(left.count + right.count)
        var (i, j) = (0, 0)
        while i < left.count, j < right.count {
            if left[i].path < right[j].path {
                merged.append(left[i])
                i += 1
            } else {
                merged.append(right[j])
                j += 1
            }
        }
        return merged + left[i...] + right[j...]
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
