/// A manifest file read from the tracked branch.
public struct SnapshotFile: Sendable, Equatable {
    /// Path in the repository.
    public var path: String
    /// Blob id: equal ids mean equal bytes, so parsing can be cached by it.
    public var blob: String
    /// The bytes.
    public var bytes: [UInt8]

    /// Creates a file.
    public init(path: String, blob: String, bytes: [UInt8]) {
        self.path = path
        self.blob = blob
        self.bytes = bytes
    }
}

/// The manifests of one commit of the tracked branch.
public struct SourceSnapshot: Sendable, Equatable {
    /// The commit id (40 hex digits).
    public var revision: String
    /// The commit's author.
    public var author: String
    /// The commit time, seconds since 1970.
    public var time: Int64
    /// The commit's summary line.
    public var summary: String
    /// The tree id of the manifests folder.
    public var tree: String
    /// The manifest files, sorted by path.
    public var files: [SnapshotFile]
    /// Files that could not be read (too large, non-UTF-8 names), with the reason.
    public var problems: [String: String]

    /// Creates a snapshot.
    public init(
        revision: String,
        author: String,
        time: Int64,
        summary: String,
        tree: String,
        files: [SnapshotFile],
        problems: [String: String]
    ) {
        self.revision = revision
        self.author = author
        self.time = time
        self.summary = summary
        self.tree = tree
        self.files = files
        self.problems = problems
    }
}

/// Why a poll produced no new snapshot.
public struct SourceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A bounded code: `timeout`, `auth`, `host-key`, `network`, `branch-missing`, `path-missing`, `cache`,
    /// `worker`, `other`.
    public var code: String
    /// What happened, with URLs scrubbed.
    public var message: String

    /// Creates an error.
    public init(code: String, message: String) {
        self.code = code
        self.message = URLScrubber.scrub(message)
    }

    /// `message`.
    public var description: String { message }
}

/// The outcome of one poll of the source.
public enum SourcePoll: Sendable {
    /// A snapshot to apply. `isNewRevision` is false when the revision is the one already in force.
    case snapshot(SourceSnapshot, event: SourceEvent?)
    /// The poll failed; `lastGood` (if any) stays in force but nothing must be applied from this poll.
    case failed(SourceError, lastGood: SourceSnapshot?)
    /// The head revision was refused (not signed by an allowed signer, not descended from the last verified
    /// head, over a limit); `lastGood` stays in force.
    case rejected(SourceRejection, lastGood: SourceSnapshot?)
}

/// Why a revision that could be fetched is not applied.
public struct SourceRejection: Sendable, Equatable {
    /// The refused head commit, when known.
    public var revision: String?
    /// The `source` record's outcome: `signature_rejected`, `rewrite_rejected` or `limit_exceeded`.
    public var outcome: String
    /// What is wrong and what to do.
    public var detail: String

    /// Creates a rejection.
    public init(revision: String?, outcome: String, detail: String) {
        self.revision = revision
        self.outcome = outcome
        self.detail = detail
    }
}

/// Something worth a `source` status record.
public struct SourceEvent: Sendable, Equatable {
    /// `fetched` for a new revision, `rewritten` for a force-push.
    public var outcome: String
    /// A one-line description.
    public var message: String
}
