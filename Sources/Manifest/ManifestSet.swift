/// One manifest file: where it is and its bytes.
public struct ManifestFile: Sendable, Equatable {
    /// The path shown to operators (relative to the repository or as given on the command line).
    public var path: String
    /// The file content.
    public var bytes: [UInt8]

    /// Creates a file.
    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }
}

/// A valid manifest: the file it came from and the table it describes.
public struct LoadedManifest: Sendable, Equatable {
    /// The manifest's path.
    public var path: String
    /// The desired table.
    public var spec: TableSpec

    /// Creates a loaded manifest.
    public init(path: String, spec: TableSpec) {
        self.path = path
        self.spec = spec
    }
}

/// The outcome of decoding a set of manifests: the valid ones and the errors of the others, by file.
public struct ManifestSet: Sendable, Equatable {
    /// Valid manifests, sorted by path.
    public var manifests: [LoadedManifest]
    /// Errors of invalid manifests, keyed by path.
    public var invalid: [String: [ManifestError]]

    /// All errors, sorted by file.
    public var allErrors: [ManifestError] {
        invalid.keys.sorted().flatMap { invalid[$0] ?? [] }
    }

    /// Decodes every file and invalidates files that name the same table in the same region.
    ///
    /// `decode` is injectable so that callers can cache decoding by content (the git source caches by blob id).
    public static func load(
        _ files: [ManifestFile],
        defaults: ManifestDefaults,
        decode: (ManifestFile) -> Result<TableSpec, ManifestErrors>
    ) -> ManifestSet {
        var valid: [LoadedManifest] = []
        var invalid: [String: [ManifestError]] = [:]
        for file in files.sorted(by: { $0.path < $1.path }) {
            switch decode(file) {
            case .success(let spec): valid.append(LoadedManifest(path: file.path, spec: spec))
            case .failure(let errors): invalid[file.path] = errors.errors
            }
        }
        var byTable: [String: [LoadedManifest]] = [:]
        for manifest in valid {
            // A global table claims its name in every replica's region too.
            for region in [manifest.spec.region] + manifest.spec.replicas.map(\.region) {
                byTable["\(region)\u{0}\(manifest.spec.tableName)", default: []].append(manifest)
            }
        }
        for group in byTable.values where group.count > 1 {
            for manifest in group {
                let others = group.filter { $0.path != manifest.path }.map(\.path).joined(separator: ", ")
                let region = manifest.spec.region.isEmpty ? "the default region" : manifest.spec.region
                invalid[manifest.path, default: []].append(
                    ManifestError(
                        file: manifest.path,
                        path: "$.tableName",
                        problem: "table \(quoted(manifest.spec.tableName)) in \(region) is also defined in \(others)",
                        fix: "keep exactly one manifest per table"
                    )
                )
            }
        }
        valid.removeAll { invalid[$0.path] != nil }
        return ManifestSet(manifests: valid, invalid: invalid)
    }

    /// Decodes every file with the given defaults.
    public static func load(_ files: [ManifestFile], defaults: ManifestDefaults) -> ManifestSet {
        load(files, defaults: defaults) { file in
            ManifestDecoder.decode(file.bytes, file: file.path, defaults: defaults)
        }
    }
}
