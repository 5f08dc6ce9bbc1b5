import Manifest
import Testing

@Suite("Encryption mapping")
struct EncryptionSpecTests {
    let keyArn = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    let aliasArn = "arn:aws:kms:us-east-1:111122223333:alias/sentinel"

    @Test("DEFAULT omits SSESpecification on CreateTable")
    func awsOwned() {
        #expect(EncryptionSpec.awsOwned.sseSpecification(resolvedKeyArn: nil) == nil)
        #expect(EncryptionSpec.awsOwned.keyToResolve == nil)
    }

    @Test("KMS asks for the AWS managed key without naming it")
    func awsManaged() {
        #expect(
            EncryptionSpec.kms.sseSpecification(resolvedKeyArn: keyArn)
                == SSESpecification(enabled: true, sseType: "KMS", kmsMasterKeyId: nil)
        )
        #expect(EncryptionSpec.kms.keyToResolve == "alias/aws/dynamodb")
    }

    @Test("CUSTOMER_KEY sends the resolved key ARN, not the alias")
    func customerKey() {
        let spec = EncryptionSpec.customerKey(aliasArn)
        #expect(spec.keyToResolve == aliasArn)
        #expect(
            spec.sseSpecification(resolvedKeyArn: keyArn)
                == SSESpecification(enabled: true, sseType: "KMS", kmsMasterKeyId: keyArn)
        )
        #expect(spec.sseSpecification(resolvedKeyArn: nil)?.kmsMasterKeyId == aliasArn)
    }

    @Test("switching back to the AWS owned key needs an explicit Enabled false")
    func updateToOwned() {
        #expect(EncryptionSpec.awsOwned.sseUpdate(resolvedKeyArn: nil) == SSESpecification(enabled: false))
    }

    @Test(
        "KMS ARNs are checked",
        arguments: [
            ("arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab", true),
            ("arn:aws:kms:us-east-1:111122223333:alias/sentinel", true),
            ("arn:aws-us-gov:kms:us-gov-west-1:111122223333:alias/app/tables", true),
            ("arn:aws:kms:us-east-1:1111:alias/sentinel", false),
            ("arn:aws:kms:us-east-1:111122223333:alias/", false),
            ("arn:aws:kms:us-east-1:111122223333:sentinel", false),
            ("arn:aws:s3:::bucket", false),
            ("alias/sentinel", false),
            ("1234abcd-12ab-34cd-56ef-1234567890ab", false),
        ]
    )
    func arnFormat(arn: String, valid: Bool) {
        #expect(ManifestRules.isValidKMSKeyARN(arn) == valid)
    }
}
