/// Typed, path-tracking access to a parsed JSON object that records every problem in `Diagnostics`.
package struct JSONReader {
    package let members: [JSONMember]
    package let path: String
    /// In the config file `null` means "not set"; in manifests it is an error.
    package var nullMeansAbsent = false

    /// A reader for `value`, or nil (with a problem recorded) when it is not an object.
    package init?(_ value: JSONValue, path: String, what: String, diagnostics: inout Diagnostics) {
        guard case .object(let members) = value else {
            diagnostics.add(path, "must be an object, found \(value.kindDescription)", fix: "write \(what) as {...}")
            return nil
        }
        self.members = members
        self.path = path
    }

    package static func childPath(_ path: String, _ key: String) -> String {
        let isPlain = key.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_"
        }
        return isPlain && !key.isEmpty ? "\(path).\(key)" : "\(path)[\(quoted(key))]"
    }

    package func childPath(_ key: String) -> String { Self.childPath(path, key) }

    /// Records unknown and duplicate keys.
    package func checkKeys(allowed: [String], diagnostics: inout Diagnostics) {
        var seen: Set<String> = []
        for member in members {
            let memberPath = childPath(member.key)
            if !seen.insert(member.key).inserted {
                diagnostics.add(memberPath, "duplicate key \(quoted(member.key))", fix: "keep one of them")
            } else if !allowed.contains(member.key) {
                if let suggestion = Spelling.suggestion(for: member.key, among: allowed) {
                    diagnostics.add(
                        memberPath,
                        "unknown key \(quoted(member.key))",
                        fix: "did you mean \(quoted(suggestion))?"
                    )
                } else {
                    diagnostics.add(
                        memberPath,
                        "unknown key \(quoted(member.key))",
                        fix: "allowed keys here: \(allowed.joined(separator: ", "))"
                    )
                }
            }
        }
    }

    /// Keys that have no default, so a null cannot mean "use the default".
    static let requiredKeys: Set<String> = ["tableName", "partitionKey", "indexName", "name", "type"]

    /// The value of `key`; nil when absent or null (null is recorded as a problem).
    package func value(_ key: String, diagnostics: inout Diagnostics) -> JSONValue? {
        guard let value = members.first(where: { $0.key == key })?.value else { return nil }
        if case .null = value {
            if nullMeansAbsent { return nil }
            let fix =
                Self.requiredKeys.contains(key) ? "give a value" : "remove \(quoted(key)) to use the default"
            diagnostics.add(childPath(key), "null is not accepted", fix: fix)
            return nil
        }
        return value
    }

    package func has(_ key: String) -> Bool {
        members.contains { $0.key == key }
    }

    package func string(_ key: String, diagnostics: inout Diagnostics) -> String? {
        guard let value = value(key, diagnostics: &diagnostics) else { return nil }
        guard case .string(let text) = value else {
            diagnostics.add(childPath(key), "must be a string, found \(value.kindDescription)", fix: "quote the value")
            return nil
        }
        return text
    }

    package func bool(_ key: String, diagnostics: inout Diagnostics) -> Bool? {
        guard let value = value(key, diagnostics: &diagnostics) else { return nil }
        guard case .bool(let flag) = value else {
            diagnostics.add(
                childPath(key),
                "must be true or false, found \(value.kindDescription)",
                fix: "write true or false without quotes"
            )
            return nil
        }
        return flag
    }

    package func integer(_ key: String, in range: ClosedRange<Int64>, diagnostics: inout Diagnostics) -> Int64? {
        guard let value = value(key, diagnostics: &diagnostics) else { return nil }
        let fix = "use a whole number from \(range.lowerBound) to \(range.upperBound)"
        guard case .number(let text) = value else {
            diagnostics.add(childPath(key), "must be a number, found \(value.kindDescription)", fix: fix)
            return nil
        }
        guard let number = Int64(text), range.contains(number) else {
            diagnostics.add(childPath(key), "\(text) is out of range or not a whole number", fix: fix)
            return nil
        }
        return number
    }

    package func enumeration<E: RawRepresentable & CaseIterable>(
        _ key: String,
        _ type: E.Type,
        diagnostics: inout Diagnostics
    ) -> E? where E.RawValue == String {
        guard let text = string(key, diagnostics: &diagnostics) else { return nil }
        if let match = E(rawValue: text) { return match }
        let names = E.allCases.map(\.rawValue)
        let hint = Spelling.suggestion(for: text, among: names).map { "did you mean \(quoted($0))? " } ?? ""
        diagnostics.add(
            childPath(key),
            "\(quoted(text)) is not one of \(names.joined(separator: ", "))",
            fix: "\(hint)use one of \(names.joined(separator: ", "))"
        )
        return nil
    }

    package func array(_ key: String, diagnostics: inout Diagnostics) -> [JSONValue]? {
        guard let value = value(key, diagnostics: &diagnostics) else { return nil }
        guard case .array(let elements) = value else {
            diagnostics.add(childPath(key), "must be an array, found \(value.kindDescription)", fix: "write [...]")
            return nil
        }
        return elements
    }

    package func object(_ key: String, what: String, diagnostics: inout Diagnostics) -> JSONReader? {
        guard let value = value(key, diagnostics: &diagnostics) else { return nil }
        var reader = JSONReader(value, path: childPath(key), what: what, diagnostics: &diagnostics)
        reader?.nullMeansAbsent = nullMeansAbsent
        return reader
    }
}

/// `text` in double quotes, with quotes and control characters escaped.
package func quoted(_ text: String) -> String {
    var out = ""
    JSONValue.writeString(String(text.prefix(200)), into: &out)
    return out
}
