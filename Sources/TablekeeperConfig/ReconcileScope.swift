import SystemSupport

/// What a push may reach, set by operators in the configuration (`scope`); pushers cannot change it.
///
/// A field that is nil places no limit, as when `scope` is absent.
public struct ReconcileScope: Sendable, Equatable {
    /// Glob patterns (`*`, `?`) a table name must match.
    public var tableNames: [String]?
    /// Regions a table may be in.
    public var regions: [String]?
    /// Accounts a customer managed key may belong to.
    public var kmsKeyAccounts: [String]?
    /// Tables that exist without the `tablekeeper:managed` tag and may be taken over.
    public var adopt: [String]

    /// Creates a scope; the default places no limit and adopts nothing.
    public init(
        tableNames: [String]? = nil,
        regions: [String]? = nil,
        kmsKeyAccounts: [String]? = nil,
        adopt: [String] = []
    ) {
        self.tableNames = tableNames
        self.regions = regions
        self.kmsKeyAccounts = kmsKeyAccounts
        self.adopt = adopt
    }

    /// A rule a manifest broke: the JSON path in the manifest, and the problem.
    public struct Violation: Sendable, Equatable {
        /// The manifest's JSON path, e.g. `$.tableName`.
        public var path: String
        /// What is out of scope, naming the rule.
        public var problem: String
    }

    /// The first rule a table breaks, nil when it is in scope.
    ///
    /// - Parameter kmsKeyArn: the customer managed key the manifest names, if any.
    public func violation(tableName: String, region: String, kmsKeyArn: String?) -> Violation? {
        if let tableNames, !tableNames.contains(where: { Self.matches(tableName, pattern: $0) }) {
            return Violation(
                path: "$.tableName",
                problem: "\"\(tableName)\" is outside scope.tableNames (\(tableNames.joined(separator: ", ")))"
            )
        }
        if let regions, !regions.contains(region) {
            return Violation(
                path: "$.region",
                problem: "\"\(region)\" is outside scope.regions (\(regions.joined(separator: ", ")))"
            )
        }
        if let kmsKeyAccounts, let kmsKeyArn {
            let account = Self.account(ofArn: kmsKeyArn)
            if !kmsKeyAccounts.contains(account) {
                return Violation(
                    path: "$.encryption.kmsKeyArn",
                    problem: "the key's account \"\(account)\" is outside scope.kmsKeyAccounts "
                        + "(\(kmsKeyAccounts.joined(separator: ", ")))"
                )
            }
        }
        return nil
    }

    /// Whether a table in scope may be taken over although it lacks the `tablekeeper:managed` tag.
    public func allowsAdopting(_ tableName: String) -> Bool {
        adopt.contains(tableName)
    }

    /// Whether a table name or region is in scope (for sweeps that find tables, not manifests).
    public func contains(tableName: String, region: String) -> Bool {
        violation(tableName: tableName, region: region, kmsKeyArn: nil) == nil
    }

    /// The account field of an ARN (`arn:partition:service:region:account:resource`), empty when there is none.
    static func account(ofArn arn: String) -> String {
        let fields = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        return fields.count == 6 ? String(fields[4]) : ""
    }

    /// Glob matching with `*` (any run of characters) and `?` (one character); everything else is literal.
    public static func matches(_ text: String, pattern: String) -> Bool {
        Glob.matches(text, pattern: pattern)
    }
}
