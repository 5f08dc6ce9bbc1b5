import GitSource

extension Runtime {
    /// The manifest files of the tracked branch's head, for commands that read once (`plan`, `adopt`); a source
    /// that cannot be read is printed and the command exits 1.
    func readSnapshot() async throws -> (files: [SnapshotFile], problems: [String: String]) {
        switch await makeGitSource().poll() {
        case .snapshot(let snapshot, _):
            return (snapshot.files, snapshot.problems)
        case .failed(let error, _):
            printError("tablekeeper: source: \(error.message)")
            throw ExitCodeError.fatal
        case .signatureRejected(let revision, let detail, _):
            printError("tablekeeper: \(revision.prefix(12)) would not be applied: \(detail)")
            throw ExitCodeError.fatal
        }
    }
}
