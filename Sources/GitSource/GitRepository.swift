internal import CLibGit2
import FoundationEssentials

/// Owns one `git_repository*`. Not `Sendable`: libgit2 objects must never be used from two threads at once,
/// so each instance belongs to exactly one owner (the worker process).
final class GitRepository {
    let handle: OpaquePointer

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        git_repository_free(handle)
    }

    /// Opens the bare repository at exactly `path` (no upward search).
    static func openBare(_ path: String) throws(GitError) -> GitRepository {
        Libgit2.ensureInitialized()
        var repository: OpaquePointer?
        let flags = GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue | GIT_REPOSITORY_OPEN_BARE.rawValue
        try check(git_repository_open_ext(&repository, path, flags, nil), "git_repository_open_ext")
        return GitRepository(handle: repository!)
    }

    /// Creates an empty bare repository at `path`; the first fetch fills it.
    static func initBare(_ path: String) throws(GitError) -> GitRepository {
        Libgit2.ensureInitialized()
        var repository: OpaquePointer?
        try check(git_repository_init(&repository, path, 1), "git_repository_init")
        return GitRepository(handle: repository!)
    }

    /// The commit a reference points at, or nil when the reference does not exist.
    func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var oid = git_oid()
        let code = git_reference_name_to_id(&oid, handle, name)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_reference_name_to_id(\(name))")
        return ObjectID(&oid)
    }

    /// Facts about a commit.
    struct CommitInfo {
        var id: ObjectID
        var tree: ObjectID
        var author: String
        var time: Int64
        var summary: String
    }

    func commitInfo(_ id: ObjectID) throws(GitError) -> CommitInfo {
        var commit: OpaquePointer?
        var oid = id.oid
        try check(git_commit_lookup(&commit, handle, &oid), "git_commit_lookup")
        defer { git_commit_free(commit) }
        let author = git_commit_author(commit)
        let name = author.map { String(cString: $0.pointee.name) } ?? ""
        let email = author.map { String(cString: $0.pointee.email) } ?? ""
        return CommitInfo(
            id: id,
            tree: ObjectID(git_commit_tree_id(commit)!),
            author: email.isEmpty ? name : "\(name) <\(email)>",
            time: git_commit_time(commit),
            summary: git_commit_summary(commit).map { String(cString: $0) } ?? ""
        )
    }

    /// Whether `descendant` has `ancestor` in its history (false means the history was rewritten).
    func isDescendant(_ descendant: ObjectID, of ancestor: ObjectID) throws(GitError) -> Bool {
        var new = descendant.oid
        var old = ancestor.oid
        return try check(git_graph_descendant_of(handle, &new, &old), "git_graph_descendant_of") == 1
    }

    /// The `gpgsig` header and the signed payload of a commit, or nil when it is unsigned.
    func signature(of id: ObjectID) throws(GitError) -> (signature: String, payload: [UInt8])? {
        var signature = git_buf()
        var payload = git_buf()
        defer {
            git_buf_dispose(&signature)
            git_buf_dispose(&payload)
        }
        var oid = id.oid
        let code = git_commit_extract_signature(&signature, &payload, handle, &oid, nil)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_commit_extract_signature")
        let text = String(decoding: UnsafeRawBufferPointer(start: signature.ptr, count: signature.size), as: UTF8.self)
        let bytes = [UInt8](UnsafeRawBufferPointer(start: payload.ptr, count: payload.size))
        return (text, bytes)
    }

    /// The size of an object, read from its header only.
    func objectSize(_ id: ObjectID) throws(GitError) -> Int {
        var odb: OpaquePointer?
        try check(git_repository_odb(&odb, handle), "git_repository_odb")
        defer { git_odb_free(odb) }
        var length = 0
        var type = GIT_OBJECT_ANY
        var oid = id.oid
        try check(git_odb_read_header(&length, &type, odb, &oid), "git_odb_read_header")
        return length
    }

    /// A blob's raw bytes, straight from the object database (no filters, no checkout).
    func readBlob(_ id: ObjectID) throws(GitError) -> [UInt8] {
        var blob: OpaquePointer?
        var oid = id.oid
        try check(git_blob_lookup(&blob, handle, &oid), "git_blob_lookup")
        defer { git_blob_free(blob) }
        let size = Int(git_blob_rawsize(blob))
        guard size > 0, let pointer = git_blob_rawcontent(blob) else { return [] }
        // Copy out: the pointer is only valid until git_blob_free.
        return [UInt8](UnsafeRawBufferPointer(start: pointer, count: size))
    }
}
