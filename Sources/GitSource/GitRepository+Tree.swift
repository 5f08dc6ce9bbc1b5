internal import CLibGit2
import FoundationEssentials
import Glibc
import SystemSupport

/// A manifest candidate found in a tree.
struct TreeFile {
    var path: String
    var blob: ObjectID
    /// The blob's size, read from its header while the tree is walked (the limits need it before any blob).
    var size: Int
}

/// A file that cannot be read as a manifest, with the reason.
struct TreeProblem {
    var path: String
    var message: String
}

extension GitRepository {
    /// The tree id of `subdirectory` in a commit, nil when the folder does not exist, or an error when it is a file.
    func subtreeID(commitTree: ObjectID, subdirectory: String) throws(GitError) -> ObjectID? {
        let trimmed = subdirectory.split(separator: "/").joined(separator: "/")
        if trimmed.isEmpty || trimmed == "." { return commitTree }
        var root: OpaquePointer?
        var rootID = commitTree.oid
        try check(git_tree_lookup(&root, handle, &rootID), "git_tree_lookup")
        defer { git_tree_free(root) }
        var entry: OpaquePointer?
        let code = git_tree_entry_bypath(&entry, root, trimmed)
        if code == GIT_ENOTFOUND.rawValue { return nil }
        try check(code, "git_tree_entry_bypath")
        // Entries from _bypath are owned by the caller.
        defer { git_tree_entry_free(entry) }
        guard git_tree_entry_type(entry) == GIT_OBJECT_TREE else {
            throw GitError(
                code: GIT_EINVALID.rawValue,
                errorClass: Int32(GIT_ERROR_TREE.rawValue),
                message: "\(trimmed) is a file, not a folder",
                operation: "read source.path"
            )
        }
        return ObjectID(git_tree_entry_id(entry)!)
    }

    /// Every `*.json` blob below a tree, skipping `*.schema.json`, dot-folders, symlinks and submodules; file names
    /// that are not UTF-8 or hold control characters are reported as problems.
    ///
    /// The walk is iterative and bounded while it runs, before any blob is read: more than `limits.maxFiles`
    /// manifests, more than `limits.maxBytes` of them, or folders nested deeper than `limits.maxDepth` (counted
    /// from `depth`) refuse the revision.
    func listManifests(
        tree: ObjectID,
        prefix: String,
        limits: SourceLimits = SourceLimits(),
        depth: Int = 0
    ) throws(GitError) -> (files: [TreeFile], problems: [TreeProblem]) {
        var files: [TreeFile] = []
        var problems: [TreeProblem] = []
        var bytes = 0
        var entries = 0
        var pending: [(id: ObjectID, prefix: String, depth: Int)] = [(tree, prefix, depth)]
        while let next = pending.popLast() {
            if next.depth > limits.maxDepth {
                throw Self.limitError("folders nested deeper than \(limits.maxDepth) levels (at \(next.prefix))")
            }
            var tree: OpaquePointer?
            var oid = next.id.oid
            try check(git_tree_lookup(&tree, handle, &oid), "git_tree_lookup")
            defer { git_tree_free(tree) }
            entries += git_tree_entrycount(tree)
            if entries > limits.maxEntries {
                throw Self.limitError("more than \(limits.maxEntries) tree entries (10 per allowed manifest)")
            }
            for index in 0..<git_tree_entrycount(tree) {
                // Entries from _byindex are borrowed from the tree: never freed.
                guard let entry = git_tree_entry_byindex(tree, index), let rawName = git_tree_entry_name(entry) else {
                    continue
                }
                let nameBytes = Array(UnsafeRawBufferPointer(start: rawName, count: strlen(rawName)))
                if nameBytes.first == UInt8(ascii: ".") { continue }
                let type = git_tree_entry_type(entry)
                guard type == GIT_OBJECT_TREE || type == GIT_OBJECT_BLOB else { continue }  // submodules
                if let problem = Self.nameProblem(nameBytes) {
                    let shown = Sanitizer.line(String(decoding: nameBytes, as: UTF8.self))
                    problems.append(TreeProblem(path: next.prefix + shown, message: problem))
                    continue
                }
                let name = String(decoding: nameBytes, as: UTF8.self)
                let id = ObjectID(git_tree_entry_id(entry)!)
                if type == GIT_OBJECT_TREE {
                    pending.append((id, next.prefix + name + "/", next.depth + 1))
                    continue
                }
                let mode = git_tree_entry_filemode(entry).rawValue
                let isRegular = mode == GIT_FILEMODE_BLOB.rawValue || mode == GIT_FILEMODE_BLOB_EXECUTABLE.rawValue
                guard isRegular, name.hasSuffix(".json"), !name.hasSuffix(".schema.json") else { continue }
                let size = try objectSize(id)
                files.append(TreeFile(path: next.prefix + name, blob: id, size: size))
                bytes += size
                try Self.checkTotals(files: files.count, bytes: bytes, limits: limits)
            }
        }
        return (files, problems)
    }

    /// Why a file name cannot be a manifest path, nil when it can.
    static func nameProblem(_ bytes: [UInt8]) -> String? {
        guard let name = String(validating: bytes, as: UTF8.self) else {
            return "the file name is not UTF-8; rename it"
        }
        if Sanitizer.hasControls(name) {
            return "the file name holds control characters (shown escaped); rename it"
        }
        return nil
    }

    /// Refuses a revision once its manifests pass a limit.
    static func checkTotals(files: Int, bytes: Int, limits: SourceLimits) throws(GitError) {
        if files > limits.maxFiles {
            throw limitError("more than \(limits.maxFiles) manifests (source.maxFiles)")
        }
        if bytes > limits.maxBytes {
            throw limitError("more than \(limits.maxBytes) bytes of manifests (source.maxBytes)")
        }
    }

    /// A revision over a limit; the code is recognised by the worker as `limit`.
    static func limitError(_ what: String) -> GitError {
        GitError(
            code: GitError.limitCode,
            errorClass: Int32(GIT_ERROR_CALLBACK.rawValue),
            message: "the revision holds \(what)",
            operation: "read tree"
        )
    }
}
