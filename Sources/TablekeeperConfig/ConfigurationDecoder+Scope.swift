import Manifest

extension ConfigurationDecoder {
    /// `scope`: what a push may reach. Every list is checked, so a typo never widens the scope silently.
    static func decodeScope(_ reader: JSONReader, diagnostics: inout Diagnostics) -> ReconcileScope {
        reader.checkKeys(allowed: ["tableNames", "regions", "kmsKeyAccounts", "adopt"], diagnostics: &diagnostics)
        var scope = ReconcileScope()
        scope.tableNames = strings(reader, "tableNames", diagnostics: &diagnostics) { pattern in
            pattern.isEmpty || pattern.count > 255 ? "use a table name or a glob such as sentinel-*" : nil
        }
        scope.regions = strings(reader, "regions", diagnostics: &diagnostics) { region in
            ManifestRules.isValidRegion(region) ? nil : "use region names such as us-east-1"
        }
        scope.kmsKeyAccounts = strings(reader, "kmsKeyAccounts", diagnostics: &diagnostics) { account in
            account.count == 12 && account.allSatisfy(\.isASCIIDigit) ? nil : "use 12-digit AWS account ids"
        }
        scope.adopt =
            strings(reader, "adopt", diagnostics: &diagnostics) { name in
                name.isEmpty || name.contains("*") || name.contains("?") ? "name tables exactly, without globs" : nil
            } ?? []
        return scope
    }

    /// A list of strings; `check` returns the fix for an element it refuses.
    static func strings(
        _ reader: JSONReader,
        _ key: String,
        diagnostics: inout Diagnostics,
        check: (String) -> String?
    ) -> [String]? {
        guard let elements = reader.array(key, diagnostics: &diagnostics) else { return nil }
        var values: [String] = []
        for (offset, element) in elements.enumerated() {
            let path = "\(reader.childPath(key))[\(offset)]"
            guard case .string(let text) = element else {
                diagnostics.add(path, "must be a string, found \(element.kindDescription)", fix: "quote the value")
                continue
            }
            if let fix = check(text) {
                diagnostics.add(path, "\(quoted(text)) is not accepted", fix: fix)
                continue
            }
            values.append(text)
        }
        return values
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
