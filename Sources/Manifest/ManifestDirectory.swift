import FoundationEssentials
import SystemSupport

/// Reads manifest files from disk, for `validate` and `plan --manifests`.
public enum ManifestDirectory {
    /// Whether a file name (not a path) is a manifest: `*.json` but not `*.schema.json`.
    public static func isManifestName(_ name: String) -> Bool {
        name.hasSuffix(".json") && !name.hasSuffix(".schema.json")
    }

    /// Reads each path: a file is read as given; a folder is searched recursively for manifests,
    /// skipping dot-folders, symlinks and `*.schema.json`.
    ///
    /// - Returns: the files read, and one error per path that could not be read.
    public static func read(_ paths: [String]) -> (files: [ManifestFile], errors: [ManifestError]) {
        var files: [ManifestFile] = []
        var errors: [ManifestError] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                errors.append(
                    ManifestError(file: path, path: "$", problem: "no such file or folder", fix: "check the path")
                )
                continue
            }
            if !isDirectory {
                readFile(path, into: &files, errors: &errors)
                continue
            }
            for relative in listManifests(in: path) {
                readFile(Paths.join(path, relative), into: &files, errors: &errors)
            }
        }
        return (files, errors)
    }

    private static func listManifests(in root: String) -> [String] {
        let manager = FileManager.default
        var result: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let folder = relative.isEmpty ? root : Paths.join(root, relative)
            guard let names = try? manager.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() where !name.hasPrefix(".") {
                let child = relative.isEmpty ? name : "\(relative)/\(name)"
                let full = Paths.join(root, child)
                guard let attributes = try? manager.attributesOfItem(atPath: full),
                    let type = attributes[.type] as? FileAttributeType
                else { continue }
                if type == .typeDirectory {
                    pending.append(child)
                } else if type == .typeRegular, isManifestName(name) {
                    result.append(child)
                }
            }
        }
        return result.sorted()
    }

    private static func readFile(_ path: String, into files: inout [ManifestFile], errors: inout [ManifestError]) {
        // Read one byte past the limit so an oversized file is reported without reading all of it.
        guard let bytes = FileIO.read(path, limit: ManifestRules.maximumFileSize + 1) else {
            errors.append(ManifestError(file: path, path: "$", problem: "cannot be read", fix: "check its permissions"))
            return
        }
        files.append(ManifestFile(path: path, bytes: bytes))
    }
}
