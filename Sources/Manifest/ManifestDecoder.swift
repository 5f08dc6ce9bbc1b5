/// Turns manifest bytes into a validated `TableSpec`, or every problem the file has.
public enum ManifestDecoder {
    static let topLevelKeys = [
        "$schema", "tableName", "region", "partitionKey", "sortKey", "billingMode", "provisionedThroughput",
        "globalSecondaryIndexes", "localSecondaryIndexes", "ttlAttribute", "stream", "pointInTimeRecovery",
        "deletionProtection", "tableClass", "tags", "encryption", "autoScaling", "onDemandThroughput", "warmThroughput",
        "replicas", "suspended",
    ]

    /// Decodes and validates one manifest.
    ///
    /// - Parameters:
    ///   - bytes: the file content.
    ///   - file: the name used in error messages.
    ///   - defaults: the region and encryption used when the manifest names none.
    /// - Returns: the spec, or all errors of the file (never both).
    public static func decode(
        _ bytes: [UInt8],
        file: String,
        defaults: ManifestDefaults
    ) -> Result<TableSpec, ManifestErrors> {
        var diagnostics = Diagnostics()
        let spec = decode(bytes, defaults: defaults, diagnostics: &diagnostics)
        if let spec, diagnostics.problems.isEmpty { return .success(spec) }
        var errors = diagnostics.errors(file: file)
        if errors.isEmpty {
            errors = [ManifestError(file: file, path: "$", problem: "could not be decoded", fix: "check the file")]
        }
        return .failure(ManifestErrors(errors))
    }

    private static func decode(
        _ input: [UInt8],
        defaults: ManifestDefaults,
        diagnostics: inout Diagnostics
    ) -> TableSpec? {
        // Editors on some systems start UTF-8 files with a byte order mark; it carries no meaning.
        let bytes = input.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(input.dropFirst(3)) : input
        if bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            diagnostics.add("$", "the file is empty", fix: "write one table as a JSON object")
            return nil
        }
        if bytes.count > ManifestRules.maximumFileSize {
            diagnostics.add(
                "$",
                "the file is over the \(ManifestRules.maximumFileSize)-byte limit",
                fix: "one table per file; a manifest is a few KiB"
            )
            return nil
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            diagnostics.add("$", "the file is not UTF-8 text", fix: "save it as UTF-8")
            return nil
        }
        guard let document = diagnostics.parse(bytes) else { return nil }
        guard let root = JSONReader(document, path: "$", what: "the manifest", diagnostics: &diagnostics) else {
            return nil
        }
        root.checkKeys(allowed: topLevelKeys, diagnostics: &diagnostics)
        var context = TableContext()
        return decodeTable(root, defaults: defaults, context: &context, diagnostics: &diagnostics)
    }
}

/// A manifest file's errors, all of them.
public struct ManifestErrors: Error, Sendable, Equatable {
    /// The errors in the order found.
    public var errors: [ManifestError]

    /// Wraps a list of errors.
    public init(_ errors: [ManifestError]) {
        self.errors = errors
    }
}
