import ArgumentParser
import Manifest

struct SchemaCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the manifest JSON Schema (draft 2020-12).",
        discussion: """
            Example:
              tablekeeper schema > manifests/table.schema.json
            """
    )

    mutating func run() {
        print(ManifestSchema.text, terminator: "")
    }
}
