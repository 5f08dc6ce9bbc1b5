internal import CLibGit2
import FoundationEssentials
import Glibc

/// A manifest candidate found in a tree.
struct TreeFile {
    var path: String
    var blob: ObjectID
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

    /// Every `*.json` blob below a tree, recursively, skipping `*.schema.json`, dot-folders, symlinks and
    /// submodules; file names that are not UTF-8 are reported as problems.
    func listManifests(tree: ObjectID, prefix: String) throws(GitError) -> (files: [TreeFile], problems: [TreeProblem])
    {
        var files: [TreeFile] = []
        var problems: [TreeProblem] = []
        try walk(tree, prefix: prefix, files: &files, problems: &problems)
        return (files, problems)
    }

    private func walk(
        _ treeID: ObjectID,
        prefix: String,
        files: inout [TreeFile],
        problems: inout [TreeProblem]
    ) throws(GitError) {
        var tree: OpaquePointer?
        var oid = treeID.oid
        try check(git_tree_lookup(&tree, handle, &oid), "git_tree_lookup")
        defer { git_tree_free(tree) }
        for index in 0..<git_tree_entrycount(tree) {
            // Entries from _byindex are borrowed from the tree: never freed.
            guard let entry = git_tree_entry_byindex(tree, index), let rawName = git_tree_entry_name(entry) else {
                continue
            }
            let nameBytes = Array(UnsafeRawBufferPointer(start: rawName, count: strlen(rawName)))
            guard let name = String(validating: nameBytes, as: UTF8.self) else {
                let shown = String(decoding: nameBytes, as: UTF8.self)
                problems.append(TreeProblem(path: prefix + shown, message: "the file name is not UTF-8; rename it"))
                continue
            }
            if name.hasPrefix(".") { continue }
            let mode = git_tree_entry_filemode(entry).rawValue
            switch git_tree_entry_type(entry) {
            case GIT_OBJECT_TREE:
                try walk(
                    ObjectID(git_tree_entry_id(entry)!),
                    prefix: prefix + name + "/",
                    files: &files,
                    problems: &problems
                )
            case GIT_OBJECT_BLOB:
                let isRegular = mode == GIT_FILEMODE_BLOB.rawValue || mode == GIT_FILEMODE_BLOB_EXECUTABLE.rawValue
                if isRegular, name.hasSuffix(".json"), !name.hasSuffix(".schema.json") {
                    files.append(TreeFile(path: prefix + name, blob: ObjectID(git_tree_entry_id(entry)!)))
                }
            default:
                continue  // submodules (gitlinks)
            }
        }
    }
}
