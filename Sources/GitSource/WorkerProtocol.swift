/// What the parent asks the git worker process to do: bring the mirror up to date and read the manifests.
public struct WorkerRequest: Codable, Sendable, Equatable {
    /// The remote URL (file://, a local path, https:// or ssh://).
    public var url: String
    /// The tracked branch.
    public var branch: String
    /// The folder of the repository holding manifests ("" or "." for the root).
    public var path: String
    /// The bare mirror's folder.
    public var cacheDirectory: String
    /// Remote credentials (file paths only).
    public var auth: GitAuth
    /// An allowed_signers file: when set, the head commit must carry an SSH signature by one of them.
    public var allowedSignersFile: String?
    /// The manifests-folder tree id the parent already has: when unchanged no file is read, otherwise only the
    /// differences from it are sent.
    public var knownTree: String?
    /// Skip the fetch and only read the mirror (for `plan` of an already fetched revision).
    public var offline: Bool
    /// What one revision may hold, checked before any blob is read.
    public var limits = SourceLimits()
    /// With signatures required: the last head that was verified and applied; the new head must descend from it.
    public var verifiedHead: String?

    /// Creates a request.
    public init(
        url: String,
        branch: String,
        path: String,
        cacheDirectory: String,
        auth: GitAuth = GitAuth(),
        allowedSignersFile: String? = nil,
        knownTree: String? = nil,
        offline: Bool = false
    ) {
        self.url = url
        self.branch = branch
        self.path = path
        self.cacheDirectory = cacheDirectory
        self.auth = auth
        self.allowedSignersFile = allowedSignersFile
        self.knownTree = knownTree
        self.offline = offline
    }
}

/// The worker's answer.
public struct WorkerResponse: Codable, Sendable, Equatable {
    /// A manifest file in the tree.
    public struct File: Codable, Sendable, Equatable {
        /// Path in the repository.
        public var path: String
        /// Blob id.
        public var blob: String
        /// Base64 of the bytes.
        public var bytes: String
    }

    /// A file that could not be read.
    public struct Problem: Codable, Sendable, Equatable {
        /// Path in the repository.
        public var path: String
        /// What is wrong.
        public var message: String
    }

    /// A failure of the whole poll.
    public struct Failure: Codable, Sendable, Equatable {
        /// A bounded code: `auth`, `host-key`, `network`, `branch-missing`, `path-missing`, `cache`, `limit`,
        /// `other`.
        public var code: String
        /// A message with URLs scrubbed.
        public var message: String
    }

    /// The signature check of the head commit.
    public struct SignatureCheck: Codable, Sendable, Equatable {
        /// Whether the commit is signed by an allowed signer.
        public var verified: Bool
        /// Who signed it, or why it was rejected.
        public var detail: String
    }

    /// Set when the poll failed; nothing else is meaningful then.
    public var failure: Failure?
    /// Whether the mirror was cloned in this poll.
    public var cloned = false
    /// Whether a damaged cache was moved aside and cloned again.
    public var recoveredCache = false
    /// The head commit.
    public var revision: String?
    /// The tracking ref's previous commit, when it moved.
    public var previousRevision: String?
    /// Whether the branch was force-pushed (the new head does not contain the old one).
    public var rewritten = false
    /// The head commit's author.
    public var author: String?
    /// The head commit's time (seconds since 1970).
    public var time: Int64?
    /// The head commit's summary line.
    public var summary: String?
    /// The tree id of the manifests folder.
    public var tree: String?
    /// Whether `tree` equals the request's `knownTree` (then `files` is empty).
    public var unchanged = false
    /// The manifest files: all of them, or with `delta` only those added or changed since `knownTree`.
    public var files: [File] = []
    /// Whether `files` and `removed` are differences from the request's `knownTree`.
    public var delta = false
    /// With `delta`, the paths of `knownTree`'s manifests and problems that are gone.
    public var removed: [String] = []
    /// Files that could not be read: all of them, or with `delta` those found in what changed.
    public var problems: [Problem] = []
    /// The signature check, when one was asked for.
    public var signature: SignatureCheck?
    /// With `verifiedHead`: whether the head descends from it (or is it); false means a rollback or a rewrite.
    public var descendsFromVerified: Bool?

    /// An empty response.
    public init() {}

    /// A failed poll.
    public static func failed(_ code: String, _ message: String) -> WorkerResponse {
        var response = WorkerResponse()
        response.failure = Failure(code: code, message: URLScrubber.scrub(message))
        return response
    }
}

/// What a revision may hold: anyone who can push chooses the tree, so its size is bounded before it is read.
public struct SourceLimits: Codable, Sendable, Equatable {
    /// Most manifest files in the manifests folder.
    public var maxFiles = 10_000
    /// Most bytes of manifests read from one revision.
    public var maxBytes = 64 << 20
    /// Deepest folder nesting below the manifests folder.
    public var maxDepth = 64
    /// Most tree entries walked (files of any kind and folders, a folder counted each time it is reached), so a
    /// tree whose entries point at one subtree again and again cannot be walked without end.
    public var maxEntries: Int { max(100_000, maxFiles * 10) }
    /// Most bytes one fetch may download.
    public var maxFetchBytes = 1 << 30

    /// The defaults.
    public init() {}
}
