public import Foundation

/// Locations inside this repository, for tests that read the project's own files.
public enum RepositoryPaths {
    /// The repository root, derived from this source file's location.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A path below the repository root.
    public static func path(_ relative: String) -> String {
        root.appendingPathComponent(relative).path
    }

    /// The built `tablekeeper` binary (the test run builds it first).
    public static var binary: String {
        let candidates = [".build/debug/tablekeeper", ".build/x86_64-unknown-linux-gnu/debug/tablekeeper"]
        if let override = ProcessInfo.processInfo.environment["TABLEKEEPER_BINARY"] { return override }
        return candidates.map(path).first { FileManager.default.isExecutableFile(atPath: $0) } ?? path(candidates[0])
    }
}
