import ArgumentParser
import GitSource
import Logging
import SystemSupport
import TablekeeperConfig

struct SourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Operate on the git source.",
        subcommands: [AcceptRewriteCommand.self]
    )
}

struct AcceptRewriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accept-rewrite",
        abstract: "Accept a signed head that does not descend from the last verified one.",
        discussion: """
            With source.verify.allowedSignersFile, a new head must descend from the last verified head, so a
            rollback or a history rewrite (even to another signed commit) is refused with a source record
            rewrite_rejected. After checking that the rewrite is intended, run this: it fetches, verifies the
            head's signature and records it as the verified head; the daemon applies it at its next poll.
            Exit status: 0 accepted, 1 otherwise.
            """
    )

    @Option(help: "The configuration file.")
    var config: String

    mutating func run() async throws {
        LoggingSetup.bootstrap(level: .warning)
        let runtime: Runtime
        do {
            runtime = try Runtime.load(configPath: config, logger: Logger(label: "tablekeeper"))
            try runtime.claimFiles(writingLog: false)
        } catch {
            throw ExitCode(1)
        }
        guard runtime.configuration.source.allowedSignersFile != nil else {
            printError(
                "tablekeeper: source.verify.allowedSignersFile is not set, so any head is applied; nothing to accept"
            )
            throw ExitCode(1)
        }
        switch await runtime.makeGitSource().poll(acceptRewrite: true) {
        case .snapshot(let snapshot, _):
            print(
                "accepted \(snapshot.revision.prefix(12)) (\(Sanitizer.line(snapshot.summary))) as the verified head; "
                    + "the daemon applies it at its next poll"
            )
        case .failed(let error, _):
            printError("tablekeeper: source: \(error.message)")
            throw ExitCode(1)
        case .rejected(let rejection, _):
            printError("tablekeeper: not accepted: \(rejection.detail)")
            throw ExitCode(1)
        }
    }
}
