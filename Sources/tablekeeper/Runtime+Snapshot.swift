import GitSource
import SystemSupport

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
        case .rejected(let rejection, _):
            let revision = rejection.revision.map { "\($0.prefix(12)) " } ?? ""
            printError("tablekeeper: \(revision)would not be applied: \(Sanitizer.line(rejection.detail))")
            throw ExitCodeError.fatal
        }
    }
}
