import FoundationEssentials
import Glibc
public import Logging
import SystemSupport

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
    /// What one revision may hold.
    public var limits = SourceLimits()

    /// With signatures required, where the last verified head is kept (beside the mirror, in the state
    /// directory, never moved aside with a damaged cache).
    public var verifiedHeadFile: String { "\(cacheDirectory).verified-head" }

    /// Creates a configuration.
    public init(
        url: String,
        branch: String = "main",
        path: String = "manifests",
        cacheDirectory: String,
        auth: GitAuth = GitAuth(),
        allowedSignersFile: String? = nil,
        deadline: Duration = .seconds(60),
        limits: SourceLimits = SourceLimits()
    ) {
        self.url = url
        self.branch = branch
        self.path = path
        self.cacheDirectory = cacheDirectory
        self.auth = auth
        self.allowedSignersFile = allowedSignersFile
        self.deadline = deadline
        self.limits = limits
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
    /// - Parameter acceptRewrite: with signatures required, accept a signed head that does not descend from the
    ///   last verified one (`tablekeeper source accept-rewrite`).
    public func poll(offline: Bool = false, acceptRewrite: Bool = false) async -> SourcePoll {
        var request = WorkerRequest(
            url: configuration.url,
            branch: configuration.branch,
            path: configuration.path,
            cacheDirectory: configuration.cacheDirectory,
            auth: configuration.auth,
            allowedSignersFile: configuration.allowedSignersFile,
            knownTree: lastGood?.tree,
            offline: offline
        )
        request.limits = configuration.limits
        let verifiedHead = configuration.allowedSignersFile == nil ? nil : readVerifiedHead()
        if !acceptRewrite { request.verifiedHead = verifiedHead }
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
            if failure.code == "limit" {
                let fix =
                    failure.message.contains("maxFetchBytes")
                    ? "shrink the repository's history, or raise source.maxFetchBytes"
                    : "remove files from the manifests folder, or raise the limit"
                let detail = "\(failure.message); \(fix)"
                return .rejected(
                    SourceRejection(revision: nil, outcome: "limit_exceeded", detail: detail),
                    lastGood: lastGood
                )
            }
            return .failed(SourceError(code: failure.code, message: failure.message), lastGood: lastGood)
        }
        // A refused head is answered before its tree is read, so these come first.
        if let signature = response.signature, !signature.verified {
            return .rejected(
                SourceRejection(revision: response.revision, outcome: "signature_rejected", detail: signature.detail),
                lastGood: lastGood
            )
        }
        if response.descendsFromVerified == false, let verifiedHead {
            let detail =
                "it does not descend from \(verifiedHead.prefix(12)), the last verified head (a rollback or a history "
                + "rewrite); if it is intended, run tablekeeper source accept-rewrite --config FILE"
            return .rejected(
                SourceRejection(revision: response.revision, outcome: "rewrite_rejected", detail: detail),
                lastGood: lastGood
            )
        }
        guard let revision = response.revision, let tree = response.tree else {
            return .failed(
                SourceError(code: "worker", message: "the git worker gave no revision; the next poll asks again"),
                lastGood: lastGood
            )
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
        if let refusal = Self.overLimits(snapshot, configuration.limits) {
            return .rejected(
                SourceRejection(revision: revision, outcome: "limit_exceeded", detail: refusal),
                lastGood: lastGood
            )
        }
        if response.signature?.verified == true, verifiedHead != revision {
            writeVerifiedHead(revision)
        }
        let event = Self.event(for: response, previous: lastGood?.revision)
        lastGood = snapshot
        return .snapshot(snapshot, event: event)
    }

    /// Why a whole revision is over the limits (the worker checks only what changed when it sends a delta).
    static func overLimits(_ snapshot: SourceSnapshot, _ limits: SourceLimits) -> String? {
        let fix = "remove files from the manifests folder, or raise the limit"
        if snapshot.files.count > limits.maxFiles {
            return "the revision holds more than \(limits.maxFiles) manifests (source.maxFiles); \(fix)"
        }
        if snapshot.files.reduce(0, { $0 + $1.bytes.count }) > limits.maxBytes {
            return "the revision holds more than \(limits.maxBytes) bytes of manifests (source.maxBytes); \(fix)"
        }
        return nil
    }

    func readVerifiedHead() -> String? {
        guard let data = FileManager.default.contents(atPath: configuration.verifiedHeadFile) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        return ObjectID(hex: text) == nil ? nil : text
    }

    func writeVerifiedHead(_ revision: String) {
        let path = configuration.verifiedHeadFile
        let temporary = "\(path).tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data((revision + "\n").utf8)),
            rename(temporary, path) == 0
        else {
            try? FileManager.default.removeItem(atPath: temporary)
            logger.error("cannot record the verified head", metadata: ["file": "\(path)"])
            return
        }
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
        CacheHygiene.moveAside(configuration.cacheDirectory)
        logger.warning(
            "moved a git cache that hung while being read aside",
            metadata: ["cache": "\(configuration.cacheDirectory)"]
        )
    }
}
