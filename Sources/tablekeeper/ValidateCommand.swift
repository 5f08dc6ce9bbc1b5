import ArgumentParser
import Manifest

struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifest files offline, for pre-commit hooks and CI.",
        discussion: """
            Reads each file, or every *.json under each folder (skipping *.schema.json and dot-folders), \
            and prints one line per problem: FILE: $.json.path: what is wrong (how to fix).
            Exit status: 0 all valid, 1 otherwise.

            Example:
              tablekeeper validate manifests/
            """
    )

    @Argument(help: "Manifest files or folders.")
    var paths: [String]

    @Option(help: "Region of manifests that name none (for duplicate detection).")
    var region: String?

    @Flag(name: [.short, .long], help: "Print nothing on success.")
    var quiet = false

    mutating func run() throws {
        let (files, readErrors) = ManifestDirectory.read(paths)
        let set = ManifestSet.load(files, defaults: ManifestDefaults(region: region))
        let errors = readErrors + set.allErrors
        for error in errors {
            printError(error.description)
        }
        if files.isEmpty, readErrors.isEmpty {
            printError(
                "tablekeeper: no manifests found under \(paths.joined(separator: " ")) (manifests are *.json files)"
            )
            throw ExitCode(1)
        }
        guard errors.isEmpty else { throw ExitCode(1) }
        if !quiet {
            print("\(files.count) manifest\(files.count == 1 ? "" : "s") valid")
        }
    }
}
