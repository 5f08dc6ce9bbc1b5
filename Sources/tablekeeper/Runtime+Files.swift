import StatusLog
import SystemSupport
import TablekeeperConfig

extension Runtime {
    /// Refuses to go on when a file this command would write belongs to another user or is a symbolic link
    /// (a root shell over the service's files, a planted link); with `writingLog`, also takes the status log's
    /// writer lock, held until the process exits.
    func claimFiles(writingLog: Bool) throws {
        let source = configuration.source
        var problems = [
            FileOwnership.problem(source.cacheDirectory, setting: "source.cacheDirectory"),
            FileOwnership.problem(source.cacheDirectory + ".lock", setting: "the git cache lock"),
        ]
        if writingLog {
            problems += [
                FileOwnership.problem(configuration.statusLog.path, setting: "statusLog.path"),
                FileOwnership.problem(configuration.statusLog.path + ".lock", setting: "the status log lock"),
            ]
        }
        let found = problems.compactMap(\.self)
        for problem in found { printError("tablekeeper: \(problem)") }
        if !found.isEmpty { throw ExitCodeError.fatal }
        guard writingLog else { return }
        switch StatusLogLock.acquire(logPath: configuration.statusLog.path) {
        case .success(let lock): HeldLocks.statusLog = lock
        case .failure(let error):
            printError("tablekeeper: \(error.description)")
            throw ExitCodeError.fatal
        }
    }
}

/// Locks that live as long as the process.
enum HeldLocks {
    nonisolated(unsafe) static var statusLog: StatusLogLock?
}
