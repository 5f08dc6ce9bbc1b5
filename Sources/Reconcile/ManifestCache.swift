import GitSource
import Manifest

/// Decoded manifests by blob id: an unchanged file is never decoded twice.
struct ManifestCache {
    private var entries: [String: Result<TableSpec, ManifestErrors>] = [:]
    private var defaults: ManifestDefaults?

    /// Decodes the snapshot's files, reusing earlier results for unchanged blobs.
    mutating func load(_ files: [SnapshotFile], defaults: ManifestDefaults) -> ManifestSet {
        if self.defaults != defaults {
            // Defaults change what a manifest decodes to (region, encryption): start over.
            entries = [:]
            self.defaults = defaults
        }
        var used: [String: Result<TableSpec, ManifestErrors>] = [:]
        var byPath: [String: String] = [:]
        for file in files {
            byPath[file.path] = file.blob
            // The path is part of the key: error messages name it.
            let key = "\(file.blob)\u{0}\(file.path)"
            used[key] = entries[key] ?? ManifestDecoder.decode(file.bytes, file: file.path, defaults: defaults)
        }
        entries = used
        let manifestFiles = files.map { ManifestFile(path: $0.path, bytes: []) }
        return ManifestSet.load(manifestFiles, defaults: defaults) { file in
            used["\(byPath[file.path] ?? "")\u{0}\(file.path)"]
                ?? .failure(
                    ManifestErrors([ManifestError(file: file.path, path: "$", problem: "not read", fix: "retry")])
                )
        }
    }
}
