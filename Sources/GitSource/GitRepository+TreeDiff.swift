internal import CLibGit2
import FoundationEssentials
import Glibc
import SystemSupport

/// What changed between two trees, as far as manifests go.
struct TreeDiff {
    /// Manifest candidates added or changed.
    var changed: [TreeFile] = []
    /// Paths of manifest candidates and of problem files that are gone.
    var removed: [String] = []
    /// Problems found in the parts that changed.
    var problems: [TreeProblem] = []
}

extension GitRepository {
    /// The manifest changes from `old` to `new`, walking only the subtrees whose ids differ: a one-file commit
    /// in a tree of 10,000 files looks at a few hundred entries, not at 20,000.
    ///
    /// Only what changed is bounded here (the caller checks the whole revision's totals).
    func diffManifests(
        old: ObjectID,
        new: ObjectID,
        prefix: String,
        limits: SourceLimits = SourceLimits()
    ) throws(GitError) -> TreeDiff {
        var diff = TreeDiff()
        var budget = limits.maxEntries
        try compare(old, new, prefix: prefix, depth: 0, limits: limits, budget: &budget, into: &diff)
        let bytes = diff.changed.reduce(0) { $0 + $1.size }
        try Self.checkTotals(files: diff.changed.count, bytes: bytes, limits: limits)
        return diff
    }

    private struct Entry {
        /// Nil when the name cannot be a manifest path (see `problem`).
        var name: String?
        var shownName: String
        var problem: String?
        var id: ObjectID
        var isTree: Bool
        var isRegularBlob: Bool
        var mode: UInt32

        var isCandidate: Bool {
            guard let name, isRegularBlob else { return false }
            return name.hasSuffix(".json") && !name.hasSuffix(".schema.json")
        }
    }

    /// A tree's entries by raw name, dot-names left out (as the full listing does).
    private func entries(_ treeID: ObjectID) throws(GitError) -> [[UInt8]: Entry] {
        var tree: OpaquePointer?
        var oid = treeID.oid
        try check(git_tree_lookup(&tree, handle, &oid), "git_tree_lookup")
        defer { git_tree_free(tree) }
        var result: [[UInt8]: Entry] = [:]
        for index in 0..<git_tree_entrycount(tree) {
            // Entries from _byindex are borrowed from the tree: never freed.
            guard let entry = git_tree_entry_byindex(tree, index), let rawName = git_tree_entry_name(entry) else {
                continue
            }
            let bytes = Array(UnsafeRawBufferPointer(start: rawName, count: strlen(rawName)))
            if bytes.first == UInt8(ascii: ".") { continue }
            let mode = git_tree_entry_filemode(entry).rawValue
            let type = git_tree_entry_type(entry)
            let problem = Self.nameProblem(bytes)
            result[bytes] = Entry(
                name: problem == nil ? String(decoding: bytes, as: UTF8.self) : nil,
                shownName: Sanitizer.line(String(decoding: bytes, as: UTF8.self)),
                problem: problem,
                id: ObjectID(git_tree_entry_id(entry)!),
                isTree: type == GIT_OBJECT_TREE,
                isRegularBlob: type == GIT_OBJECT_BLOB
                    && (mode == GIT_FILEMODE_BLOB.rawValue || mode == GIT_FILEMODE_BLOB_EXECUTABLE.rawValue),
                mode: mode
            )
        }
        return result
    }

    private func compare(
        _ oldID: ObjectID,
        _ newID: ObjectID,
        prefix: String,
        depth: Int,
        limits: SourceLimits,
        budget: inout Int,
        into diff: inout TreeDiff
    )
        throws(GitError)
    {
        if depth > limits.maxDepth {
            throw Self.limitError("folders nested deeper than \(limits.maxDepth) levels (at \(prefix))")
        }
        let old = try entries(oldID)
        let new = try entries(newID)
        budget -= old.count + new.count
        if budget < 0 {
            throw Self.limitError("more than \(limits.maxEntries) tree entries (10 per allowed manifest)")
        }
        for key in Set(old.keys).union(new.keys) {
            let before = old[key]
            let after = new[key]
            if let before, let after, before.id == after.id, before.mode == after.mode { continue }
            let path = prefix + (after ?? before)!.shownName
            if let before, let after, before.isTree, after.isTree, before.name != nil {
                try compare(
                    before.id,
                    after.id,
                    prefix: path + "/",
                    depth: depth + 1,
                    limits: limits,
                    budget: &budget,
                    into: &diff
                )
                continue
            }
            // A path that is reported again (a manifest or a problem) is not also reported as removed.
            let reportedAgain = after.map { $0.isCandidate || $0.name == nil } ?? false
            if let before { try gone(before, path: path, keepingPath: reportedAgain, into: &diff) }
            if let after { try arrived(after, path: path, depth: depth, limits: limits, into: &diff) }
        }
    }

    /// An entry that is no longer there as it was: its manifests and problems are removed, except the path
    /// itself when it is reported again.
    private func gone(_ entry: Entry, path: String, keepingPath: Bool, into diff: inout TreeDiff) throws(GitError) {
        if entry.name == nil {
            if !keepingPath { diff.removed.append(path) }
        } else if entry.isTree {
            let listing = try listManifests(tree: entry.id, prefix: path + "/")
            diff.removed += listing.files.map(\.path) + listing.problems.map(\.path)
        } else if entry.isCandidate, !keepingPath {
            diff.removed.append(path)
        }
    }

    private func arrived(
        _ entry: Entry,
        path: String,
        depth: Int,
        limits: SourceLimits,
        into diff: inout TreeDiff
    ) throws(GitError) {
        if let problem = entry.problem {
            diff.problems.append(TreeProblem(path: path, message: problem))
        } else if entry.isTree {
            let listing = try listManifests(tree: entry.id, prefix: path + "/", limits: limits, depth: depth + 1)
            diff.changed += listing.files
            diff.problems += listing.problems
        } else if entry.isCandidate {
            diff.changed.append(TreeFile(path: path, blob: entry.id, size: try objectSize(entry.id)))
        }
    }
}
