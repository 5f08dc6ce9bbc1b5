/// The encryption types of the original provisioner.
public enum EncryptionType: String, Sendable, Equatable, CaseIterable {
    /// The AWS owned key (DynamoDB's default; no `SSESpecification` is sent).
    case awsOwned = "DEFAULT"
    /// The AWS managed key `alias/aws/dynamodb`.
    case kms = "KMS"
    /// A customer managed KMS key named by `kmsKeyArn`.
    case customerKey = "CUSTOMER_KEY"
}

/// Server-side encryption as a manifest asks for it.
public struct EncryptionSpec: Sendable, Equatable {
    /// The encryption type.
    public var type: EncryptionType
    /// The key ARN or alias ARN; present exactly when `type` is `.customerKey`.
    public var kmsKeyArn: String?

    /// Creates an encryption spec; use the static members for the two key-less types.
    public init(type: EncryptionType, kmsKeyArn: String? = nil) {
        self.type = type
        self.kmsKeyArn = kmsKeyArn
    }

    /// Encryption with the AWS owned key.
    public static let awsOwned = EncryptionSpec(type: .awsOwned)
    /// Encryption with the AWS managed key; the built-in default.
    public static let kms = EncryptionSpec(type: .kms)

    /// A customer managed key.
    public static func customerKey(_ arn: String) -> EncryptionSpec {
        EncryptionSpec(type: .customerKey, kmsKeyArn: arn)
    }

    /// The KMS key identifier that must be resolved to a key ARN, or nil for the AWS owned key.
    public var keyToResolve: String? {
        switch type {
        case .awsOwned: nil
        case .kms: EncryptionSpec.awsManagedKeyAlias
        case .customerKey: kmsKeyArn
        }
    }

    /// The alias of the AWS managed key for DynamoDB.
    public static let awsManagedKeyAlias = "alias/aws/dynamodb"

    /// A short human form: `DEFAULT`, `KMS` or `CUSTOMER_KEY(arn)`.
    public var summary: String {
        if type == .customerKey, let kmsKeyArn { return "CUSTOMER_KEY(\(kmsKeyArn))" }
        return type.rawValue
    }

    /// The `SSESpecification` a CreateTable request carries for this encryption (nil: omit it).
    ///
    /// - Parameter resolvedKeyArn: the key ARN that `kmsKeyArn` resolved to through KMS; sent for
    ///   customer keys so the table records exactly the key that was checked.
    public func sseSpecification(resolvedKeyArn: String?) -> SSESpecification? {
        switch type {
        case .awsOwned: nil
        case .kms: SSESpecification(enabled: true, sseType: "KMS", kmsMasterKeyId: nil)
        case .customerKey:
            SSESpecification(enabled: true, sseType: "KMS", kmsMasterKeyId: resolvedKeyArn ?? kmsKeyArn)
        }
    }

    /// The `SSESpecification` an UpdateTable request carries to switch a table to this encryption.
    ///
    /// Unlike CreateTable, switching back to the AWS owned key needs an explicit `{"Enabled": false}`.
    public func sseUpdate(resolvedKeyArn: String?) -> SSESpecification {
        sseSpecification(resolvedKeyArn: resolvedKeyArn) ?? SSESpecification(enabled: false)
    }
}

/// The `SSESpecification` member of CreateTable and UpdateTable requests.
public struct SSESpecification: Sendable, Equatable {
    /// `Enabled`: true for KMS-based encryption.
    public var enabled: Bool
    /// `SSEType`: always `KMS` when enabled.
    public var sseType: String?
    /// `KMSMasterKeyId`: only for customer managed keys.
    public var kmsMasterKeyId: String?

    /// Creates a specification.
    public init(enabled: Bool, sseType: String? = nil, kmsMasterKeyId: String? = nil) {
        self.enabled = enabled
        self.sseType = sseType
        self.kmsMasterKeyId = kmsMasterKeyId
    }
}
