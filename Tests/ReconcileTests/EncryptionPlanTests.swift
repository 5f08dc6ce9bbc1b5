import AWSCore
import DynamoDBControl
import Manifest
import Reconcile
import TablekeeperConfig
import Testing

@Suite("Planner: encryption")
struct EncryptionPlanTests {
    typealias F = Fixtures

    enum Kind: String, CaseIterable, Sendable {
        case owned = "DEFAULT"
        case managed = "KMS"
        case customer = "CUSTOMER_KEY"
    }

    static var combinations: [(Kind, Kind)] {
        Kind.allCases.flatMap { from in Kind.allCases.map { to in (from, to) } }
    }

    func observed(_ kind: Kind) -> ObservedTable {
        var table = F.observed
        switch kind {
        case .owned: table.encryption = .awsOwned
        case .managed: table.encryption = .kmsKey(F.awsManagedArn)
        case .customer: table.encryption = .kmsKey(F.customerArn)
        }
        return table
    }

    func spec(_ kind: Kind) -> TableSpec {
        var spec = F.spec
        switch kind {
        case .owned: spec.encryption = .awsOwned
        case .managed: spec.encryption = .kms
        case .customer: spec.encryption = .customerKey(F.customerAlias)
        }
        return spec
    }

    @Test("all nine from/to combinations are flagged by default", arguments: combinations)
    func flaggedByDefault(from: Kind, to: Kind) {
        let plan = F.plan(spec(to), observed(from))
        if from == to {
            // The alias resolves to the key the table uses: no endless diff.
            #expect(plan.isInSync)
            return
        }
        #expect(plan.changes.count == 1)
        let change = plan.changes[0]
        #expect(change.field == "encryption")
        #expect(change.action == .flag)
        #expect(change.reason == .encryption)
        #expect(change.from.hasPrefix(from.rawValue))
        #expect(change.to.hasPrefix(to.rawValue))
        #expect(change.advice?.contains("policy.encryption") == true)
        #expect(change.advice?.contains("aws dynamodb update-table") == true)
        #expect(plan.steps.isEmpty)
    }

    @Test(
        "with policy.encryption = apply each change is one UpdateTable with the right SSESpecification",
        arguments: combinations
    )
    func appliedWhenAllowed(from: Kind, to: Kind) throws {
        let plan = F.plan(spec(to), observed(from), policy: ReconcilePolicy(encryption: .apply))
        if from == to {
            #expect(plan.steps.isEmpty)
            return
        }
        guard case .updateTable(let input, _, let field) = try #require(plan.steps.first) else { return }
        #expect(field == "encryption")
        switch to {
        case .owned: #expect(input.SSESpecification == SSESpecificationShape(Enabled: false))
        case .managed: #expect(input.SSESpecification == SSESpecificationShape(Enabled: true, SSEType: "KMS"))
        case .customer:
            #expect(
                input.SSESpecification
                    == SSESpecificationShape(Enabled: true, SSEType: "KMS", KMSMasterKeyId: F.customerArn)
            )
        }
    }

    @Test("a customer key swapped for another is flagged with both keys named")
    func customerKeySwapped() {
        var table = F.observed
        table.encryption = .kmsKey(F.otherCustomerArn)
        let plan = F.plan(spec(.customer), table)
        #expect(plan.changes.first?.from == "CUSTOMER_KEY(\(F.otherCustomerArn))")
        #expect(plan.changes.first?.to == "CUSTOMER_KEY(\(F.customerAlias)) = \(F.customerArn)")
    }

    @Test("KMS is compared by key ARN even when the AWS managed key does not exist yet")
    func managedKeyMissing() {
        let plan = Planner.plan(
            desired: DesiredTable(manifest: "m.json", spec: spec(.managed), encryption: .awsManaged(keyArn: nil)),
            observed: observed(.customer),
            policy: ReconcilePolicy(),
            context: RegionContext(awsManagedKeyArn: nil)
        )
        #expect(plan.changes.first?.field == "encryption")
    }

    @Test(
        "a failed lookup of the AWS managed key fails the table instead of showing drift",
        arguments: [
            ("AccessDeniedException", AWSError.Kind.accessDenied), ("ThrottlingException", .throttling),
            ("HTTP 503", .transient),
        ]
    )
    func managedKeyLookupFails(code: String, kind: AWSError.Kind) {
        let alias = RegionKey(region: "us-east-1", key: EncryptionSpec.awsManagedKeyAlias)
        let failed = KeyResolution(results: [
            alias: .failure(AWSError(operation: "DescribeKey", code: code, message: "no", kind: kind))
        ])
        var spec = F.spec
        spec.encryption = EncryptionSpec(type: .kms)
        guard case .unresolvable(let message) = failed.resolve(spec) else {
            Issue.record("resolved despite the failure")
            return
        }
        #expect(message.contains("could not be looked up"))
        let plan = Planner.plan(
            desired: DesiredTable(manifest: "m.json", spec: spec, encryption: failed.resolve(spec)),
            observed: observed(.managed),
            policy: ReconcilePolicy(encryption: .apply),
            context: RegionContext(awsManagedKeyArn: nil)
        )
        #expect(plan.failure != nil)
        #expect(plan.steps.isEmpty)
        // An emulator's NotFound only means no table uses the key yet.
        let missing = KeyResolution(results: [
            alias: .failure(AWSError(operation: "DescribeKey", code: "NotFoundException", message: "", kind: .notFound))
        ])
        #expect(missing.resolve(spec) == .awsManaged(keyArn: nil))
    }
}
