import ArgumentParser
import FoundationEssentials
import GitSource
import Glibc
import SystemSupport

/// The child process that does all libgit2 work, so the daemon can kill it at a deadline.
struct GitWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git-worker",
        abstract: "Internal: fetch and read the git mirror (one JSON request per line on stdin, one answer per line).",
        shouldDisplay: false
    )

    /// Serves requests until its input ends; the parent keeps it between polls.
    mutating func run() throws {
        while let line = readLine(strippingNewline: true) {
            let response: WorkerResponse
            if let request = try? JSONDecoder().decode(WorkerRequest.self, from: Data(line.utf8)) {
                response = GitWorker.handle(request)
            } else {
                response = .failed("worker", "the git worker received a malformed request")
            }
            // One line per answer (JSON escapes newlines inside strings); then the request is over.
            FileIO.write(try JSONEncoder().encode(response) + [10], to: STDOUT_FILENO)
            WorkerPhase.announce("idle")
            // Between polls the worker waits; what reading a large tree took goes back to the system.
            GitWorker.releaseFreeMemory()
        }
    }
}
