/// What a manifest inherits from the configuration when it does not say.
public struct ManifestDefaults: Sendable, Equatable {
    /// The region of tables whose manifest names none; nil when no region is configured.
    public var region: String?
    /// The encryption of tables whose manifest names none.
    public var encryption: EncryptionSpec

    /// Creates defaults; the built-in encryption default is the AWS managed key.
    public init(region: String? = nil, encryption: EncryptionSpec = .kms) {
        self.region = region
        self.encryption = encryption
    }
}

/// The limits and patterns that manifests are checked against.
public enum ManifestRules {
    /// Largest manifest file read, in bytes.
    public static let maximumFileSize = 1 << 20
    /// Most global secondary indexes per table.
    public static let maximumGlobalIndexes = 20
    /// Most local secondary indexes per table.
    public static let maximumLocalIndexes = 5
    /// Most user tags per table: DynamoDB allows 50 and Tablekeeper adds two (`tablekeeper:managed`,
    /// `tablekeeper:manifest`).
    public static let maximumTags = 48

    /// Whether `text` uses only what DynamoDB allows in tag keys and values: letters, digits, white space and
    /// `+ - = . _ : /` (DevGuide, TaggingRestrictions).
    public static func isTagText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || scalar.properties.numericType != nil || scalar.properties.isWhitespace
                || "+-=._:/".unicodeScalars.contains(scalar)
        }
    }
    /// Most projected non-key attributes across all of a table's indexes.
    public static let maximumProjectedAttributes = 100
    /// Largest provisioned capacity accepted in a manifest.
    public static let maximumCapacity: Int64 = 1_000_000
    /// Largest warm throughput accepted in a manifest (units per second; a bound against typos, not AWS's).
    public static let maximumWarmThroughput: Int64 = 100_000_000
    /// Tag keys with this prefix are Tablekeeper's own.
    public static let reservedTagPrefix = "tablekeeper:"
    /// Tag keys with this prefix belong to AWS.
    public static let awsTagPrefix = "aws:"

    /// Whether `name` is a valid table or index name: 3–255 of `[A-Za-z0-9_.-]`.
    public static func isValidName(_ name: String) -> Bool {
        (3...255).contains(name.utf8.count)
            && name.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"):
                    true
                default: false
                }
            }
    }

    /// Whether `region` looks like an AWS region name such as `us-east-1` or `us-gov-west-1`.
    public static func isValidRegion(_ region: String) -> Bool {
        let parts = region.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 3, let last = parts.last, !last.isEmpty, last.allSatisfy(\.isASCII),
            last.allSatisfy(\.isNumber)
        else { return false }
        return parts.dropLast().allSatisfy { part in
            !part.isEmpty && part.allSatisfy { $0.isASCII && $0.isLowercase }
        }
    }

    /// Whether `text` is a KMS key ARN or alias ARN (`arn:PARTITION:kms:REGION:ACCOUNT:key/ID|alias/NAME`).
    public static func isValidKMSKeyARN(_ text: String) -> Bool {
        kmsRegion(ofARN: text) != nil
    }

    /// The region of a well-formed KMS key or alias ARN.
    public static func kmsRegion(ofARN text: String) -> String? {
        let parts = text.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "kms",
            isValidRegion(String(parts[3])), parts[4].count == 12, parts[4].allSatisfy(\.isNumber)
        else { return nil }
        let resource = parts[5]
        let valid: Bool
        if resource.hasPrefix("key/") {
            let id = resource.dropFirst(4)
            valid = !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isHexDigit || $0 == "-" || $0.isLetter) }
        } else if resource.hasPrefix("alias/") {
            let name = resource.dropFirst(6)
            valid =
                !name.isEmpty && !name.hasPrefix("aws/")
                && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_-".contains($0)) }
        } else {
            valid = false
        }
        return valid ? String(parts[3]) : nil
    }
}
