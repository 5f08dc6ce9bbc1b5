import ArgumentParser
import Foundation
import GitSource

/// The child process that does all libgit2 work, so the daemon can kill it at a deadline.
struct GitWorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "git-worker",
        abstract: "Internal: fetch and read the git mirror (request on stdin, answer on stdout).",
        shouldDisplay: false
    )

    mutating func run() throws {
        let input = FileHandle.standardInput.readDataToEndOfFile()
        let response: WorkerResponse
        if let request = try? JSONDecoder().decode(WorkerRequest.self, from: input) {
            response = GitWorker.handle(request)
        } else {
            response = .failed("worker", "the git worker received a malformed request")
        }
        FileHandle.standardOutput.write(try JSONEncoder().encode(response))
    }
}
