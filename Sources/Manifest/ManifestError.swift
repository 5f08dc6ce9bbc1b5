/// One problem found in a manifest: where it is and how to fix it.
///
/// Printed as `FILE: $.json.path: what is wrong (how to fix)`, one line each.
public struct ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The manifest file, as given (a path in the repository or on disk).
    public var file: String
    /// The JSON path of the offending value, e.g. `$.globalSecondaryIndexes[1].projection`.
    public var path: String
    /// What is wrong.
    public var problem: String
    /// How to fix it.
    public var fix: String

    /// Creates an error.
    public init(file: String, path: String, problem: String, fix: String) {
        self.file = file
        self.path = path
        self.problem = problem
        self.fix = fix
    }

    /// The one-line form.
    public var description: String {
        "\(file): \(path): \(problem) (\(fix))"
    }

    /// The one-line form without the file name.
    public var messageWithoutFile: String {
        "\(path): \(problem) (\(fix))"
    }
}

/// Collects the problems of one document while it is decoded, so all of them are reported at once.
package struct Diagnostics {
    package var problems: [(path: String, problem: String, fix: String)] = []

    package init() {}

    package mutating func add(_ path: String, _ problem: String, fix: String) {
        problems.append((path, problem, fix))
    }

    /// Parses a whole document; a syntax error becomes a problem at `$` and the result is nil.
    package mutating func parse(_ bytes: [UInt8]) -> JSONValue? {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            add(
                "$",
                "invalid JSON at line \(error.line), column \(error.column): \(error.message)",
                fix: "fix the JSON syntax"
            )
            return nil
        }
    }

    package func errors(file: String) -> [ManifestError] {
        problems.map { ManifestError(file: file, path: $0.path, problem: $0.problem, fix: $0.fix) }
    }
}

/// Suggests the closest allowed name for a misspelt key.
enum Spelling {
    /// The allowed name nearest to `key`, when it is close enough to be a likely typo.
    static func suggestion(for key: String, among allowed: [String]) -> String? {
        let lowered = key.lowercased()
        if let exact = allowed.first(where: { $0.lowercased() == lowered }) { return exact }
        var best: (name: String, distance: Int)?
        for name in allowed {
            let distance = editDistance(lowered, name.lowercased())
            if distance < (best?.distance ?? Int.max) { best = (name, distance) }
        }
        guard let best, best.distance <= max(2, best.name.count / 3) else { return nil }
        return best.name
    }

    /// Levenshtein distance over characters; inputs longer than 64 characters are never close.
    static func editDistance(_ lhs: String, _ rhs: String) -> Int {
        let left = Array(lhs)
        let right = Array(rhs)
        if left.count > 64 || right.count > 64 { return Int.max / 2 }
        var previous = Array(0...right.count)
        for (i, leftChar) in left.enumerated() {
            var current = [i + 1]
            for (j, rightChar) in right.enumerated() {
                let cost = leftChar == rightChar ? 0 : 1
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + cost))
            }
            previous = current
        }
        return previous[right.count]
    }
}
