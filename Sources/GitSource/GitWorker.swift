internal import CLibGit2
import FoundationEssentials
import Glibc
import SystemSupport

/// The body of the `tablekeeper git-worker` child process: every libgit2 call happens here, so the
/// parent can kill it at a deadline (libgit2 1.5.1 has no network timeouts and can spin forever on
/// corrupt objects).
public enum GitWorker {
    /// Largest manifest blob read.
    public static let maximumBlobSize = 1 << 20

    /// Gives memory freed after a request back to the system (the worker is kept between polls, and reading a
    /// large tree leaves tens of megabytes free but mapped).
    public static func releaseFreeMemory() {
        clibgit2_release_free_memory()
    }

    /// Handles one request; never throws (every failure is described in the response).
    public static func handle(_ request: WorkerRequest) -> WorkerResponse {
        let lock: CacheLock
        do {
            lock = try CacheLock.acquire(for: request.cacheDirectory)
        } catch {
            return .failed("cache", "cannot lock \(request.cacheDirectory).lock: \(error)")
        }
        defer { lock.release() }
        CacheHygiene.removeTemporaryClones(of: request.cacheDirectory)
        do {
            return try poll(request)
        } catch let error as GitError
            where error.isCacheDamage && FileManager.default.fileExists(atPath: request.cacheDirectory)
        {
            // A damaged mirror is moved aside (kept for inspection) and cloned again, once.
            CacheHygiene.moveAside(request.cacheDirectory)
            do {
                var response = try poll(request)
                response.recoveredCache = true
                return response
            } catch {
                return failure(for: error)
            }
        } catch {
            return failure(for: error)
        }
    }

    static func failure(for error: any Error) -> WorkerResponse {
        guard let error = error as? GitError else { return .failed("other", "\(error)") }
        let code: String
        if error.isAuthentication {
            code = "auth"
        } else if error.isCertificate {
            code = "host-key"
        } else if error.code == -1000 {
            code = "branch-missing"
        } else if error.code == -1001 {
            code = "path-missing"
        } else if error.code == GitError.limitCode {
            code = "limit"
        } else if error.isCacheDamage {
            code = "cache"
        } else if [GIT_ERROR_NET, GIT_ERROR_SSH, GIT_ERROR_SSL, GIT_ERROR_HTTP, GIT_ERROR_OS]
            .map({ Int32($0.rawValue) }).contains(error.errorClass)
        {
            code = "network"
        } else {
            code = "other"
        }
        return .failed(code, error.message)
    }

    private static func openOrClone(_ request: WorkerRequest, response: inout WorkerResponse) throws -> GitRepository {
        let manager = FileManager.default
        if manager.fileExists(atPath: request.cacheDirectory) {
            CacheLock.removeStaleGitLocks(in: request.cacheDirectory)
            return try GitRepository.openBare(request.cacheDirectory)
        }
        // Clone into a temporary folder and rename it into place, so a crash never leaves half a mirror.
        let parent = Paths.parent(request.cacheDirectory)
        try? manager.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let temporary = "\(request.cacheDirectory).tmp-\(getpid())"
        try? manager.removeItem(atPath: temporary)
        do {
            let repository = try GitRepository.initBare(temporary)
            let result = try repository.fetch(
                url: request.url,
                branch: request.branch,
                auth: request.auth,
                maxBytes: request.limits.maxFetchBytes
            )
            if result.after == nil { throw branchMissing(request) }
        } catch {
            try? manager.removeItem(atPath: temporary)
            throw error
        }
        try manager.moveItem(atPath: temporary, toPath: request.cacheDirectory)
        response.cloned = true
        return try GitRepository.openBare(request.cacheDirectory)
    }

    static func branchMissing(_ request: WorkerRequest) -> GitError {
        GitError(
            code: -1000,
            errorClass: Int32(GIT_ERROR_REFERENCE.rawValue),
            message: "branch \(request.branch) does not exist on the remote (check source.branch)",
            operation: "fetch"
        )
    }

    private static func poll(_ request: WorkerRequest) throws -> WorkerResponse {
        var response = WorkerResponse()
        let repository = try openOrClone(request, response: &response)
        let tracking = GitRepository.trackingReference(request.branch)
        var head = try repository.referenceTarget(tracking)
        if !response.cloned, !request.offline {
            WorkerPhase.announce("fetch")
            let result = try repository.fetch(
                url: request.url,
                branch: request.branch,
                auth: request.auth,
                maxBytes: request.limits.maxFetchBytes
            )
            if !result.branchOnRemote || result.after == nil { throw branchMissing(request) }
            if let before = result.before, let after = result.after, before != after {
                response.previousRevision = before.hex
                response.rewritten = try !repository.isDescendant(after, of: before)
            }
            head = result.after
        }
        guard let head else { throw branchMissing(request) }
        // From here on only the local mirror is read; a hang now means a corrupt object in the cache.
        WorkerPhase.announce("read")
        let commit = try repository.commitInfo(head)
        response.revision = head.hex
        response.author = commit.author
        response.time = commit.time
        response.summary = commit.summary
        if let allowedSigners = request.allowedSignersFile {
            let check = SignatureVerifier.verify(
                signature: try repository.signature(of: head),
                allowedSignersFile: allowedSigners
            )
            response.signature = check
            // An unsigned head is rejected before its tree is read.
            guard check.verified else { return response }
            if let verified = request.verifiedHead.flatMap(ObjectID.init(hex:)), verified != head {
                // A rollback or a rewrite to another signed commit: the verified head is not in its history
                // (or no longer in the mirror at all).
                let descends = (try? repository.isDescendant(head, of: verified)) ?? false
                response.descendsFromVerified = descends
                guard descends else { return response }
            }
        }
        guard let tree = try repository.subtreeID(commitTree: commit.tree, subdirectory: request.path) else {
            throw GitError(
                code: -1001,
                errorClass: Int32(GIT_ERROR_TREE.rawValue),
                message: "source.path \(request.path) is not in revision \(head.short) (check source.path)",
                operation: "read tree"
            )
        }
        response.tree = tree.hex
        if tree.hex == request.knownTree {
            response.unchanged = true
            return response
        }
        let trimmed = request.path.split(separator: "/").joined(separator: "/")
        let prefix = trimmed.isEmpty || trimmed == "." ? "" : trimmed + "/"
        // Against a known tree still in the mirror only the differences are sent, found by walking the subtrees
        // whose ids changed; otherwise the whole listing.
        var files: [TreeFile]
        if let known = request.knownTree.flatMap(ObjectID.init(hex:)),
            let diff = try Self.delta(repository, old: known, new: tree, prefix: prefix, limits: request.limits)
        {
            response.delta = true
            response.removed = diff.removed.sorted()
            response.problems = diff.problems.map { .init(path: $0.path, message: $0.message) }
            files = diff.changed
        } else {
            let listing = try repository.listManifests(tree: tree, prefix: prefix, limits: request.limits)
            response.problems = listing.problems.map { .init(path: $0.path, message: $0.message) }
            files = listing.files
        }
        files.sort { $0.path < $1.path }
        for file in files {
            if file.size > maximumBlobSize {
                response.problems.append(
                    .init(
                        path: file.path,
                        message: "the file is \(file.size) bytes, over the 1 MiB limit for a manifest"
                    )
                )
                continue
            }
            let bytes = try repository.readBlob(file.blob)
            response.files.append(.init(path: file.path, blob: file.blob.hex, bytes: Data(bytes).base64EncodedString()))
        }
        return response
    }
}

extension GitWorker {
    /// The differences from a known tree, nil when they cannot be computed (the known tree is gone); a revision
    /// over a limit is an error, never a reason to fall back to the whole listing.
    static func delta(
        _ repository: GitRepository,
        old: ObjectID,
        new: ObjectID,
        prefix: String,
        limits: SourceLimits
    ) throws(GitError) -> TreeDiff? {
        do {
            return try repository.diffManifests(old: old, new: new, prefix: prefix, limits: limits)
        } catch  where error.code == GitError.limitCode {
            throw error
        } catch {
            return nil
        }
    }
}

/// Keeps the cache folder's siblings few: one damaged copy at most, no temporary clones left by a crash.
enum CacheHygiene {
    /// Moves a damaged mirror aside for inspection, removing any older damaged copy first.
    static func moveAside(_ cacheDirectory: String) {
        for old in siblings(of: cacheDirectory, marker: ".damaged-") {
            try? FileManager.default.removeItem(atPath: old)
        }
        let aside = "\(cacheDirectory).damaged-\(Int(Date().timeIntervalSince1970))"
        try? FileManager.default.moveItem(atPath: cacheDirectory, toPath: aside)
    }

    /// Removes `.tmp-*` clones (a worker killed while cloning leaves one; the cache lock is held).
    static func removeTemporaryClones(of cacheDirectory: String) {
        for temporary in siblings(of: cacheDirectory, marker: ".tmp-") {
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }

    static func siblings(of cacheDirectory: String, marker: String) -> [String] {
        let parent = Paths.parent(cacheDirectory)
        let stem = Paths.lastComponent(cacheDirectory) + marker
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        return names.filter { $0.hasPrefix(stem) }.map { parent == "/" ? "/\($0)" : "\(parent)/\($0)" }
    }
}

/// Tells the parent, on standard error, which phase the worker is in, so a deadline can be attributed.
public enum WorkerPhase {
    /// Writes `phase:NAME` on its own line to standard error.
    public static func announce(_ phase: String) {
        FileIO.standardError("phase:\(phase)\n")
    }
}
