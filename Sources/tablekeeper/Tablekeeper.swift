import ArgumentParser

@main
struct Tablekeeper: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tablekeeper",
        abstract: "Keeps DynamoDB tables exactly as a git repository of JSON manifests describes them.",
        version: TablekeeperVersion.current,
        subcommands: [
            RunCommand.self, PlanCommand.self, StatusCommand.self, ExportCommand.self, ValidateCommand.self,
            SchemaCommand.self, AdoptCommand.self, SourceCommand.self, ReconcileCommand.self, SuspendCommand.self,
            ResumeCommand.self,
            GitWorkerCommand.self,
        ]
    )
}

/// The version printed by `tablekeeper --version`.
enum TablekeeperVersion {
    static let current = "0.1.0"
}
