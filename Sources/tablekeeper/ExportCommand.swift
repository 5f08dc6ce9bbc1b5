import AWSCore
import ArgumentParser
import DynamoDBControl
import FoundationEssentials
import Logging
import Manifest
import Reconcile
import TablekeeperConfig

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print a manifest for an existing table, to adopt tables made before Tablekeeper.",
        discussion: """
            The manifest describes the table as it is: commit it, and `plan` reports the table in sync.
            Exit status: 0, or 1 when the table cannot be read.

            Example:
              tablekeeper export --table sentinel-requests --region us-east-1 > manifests/sentinel-requests.json
            """
    )

    @Option(help: "The table name.")
    var table: String

    @Option(help: "The table's region (default: the config's aws.region, then AWS_REGION).")
    var region: String?

    @Option(help: "The DynamoDB and KMS endpoint (default: the config's aws.endpoint, then the AWS variables).")
    var endpoint: String?

    @Option(help: "A configuration file for region and endpoint.")
    var config: String?

    mutating func run() async throws {
        LoggingSetup.bootstrap(level: .warning)
        let logger = Logger(label: "tablekeeper")
        var configuration = TablekeeperConfiguration(source: .init(url: "file:///dev/null"))
        if let config {
            switch ConfigurationDecoder.load(path: config) {
            case .success(let loaded): configuration = loaded
            case .failure(let errors):
                for error in errors.errors { printError(error.description) }
                throw ExitCode(1)
            }
        }
        if let region { configuration.aws.region = region }
        if let endpoint { configuration.aws.endpoint = endpoint }
        let runtime: Runtime
        do {
            runtime = try Runtime.make(configuration: configuration, logger: logger)
        } catch {
            throw ExitCode(1)
        }
        let control = runtime.controls.control(region: runtime.region)
        let observed: ObservedTable?
        do throws(AWSError) {
            observed = try await Observer.observeTable(table, region: runtime.region, control: control)
        } catch {
            printError("tablekeeper: \(error)")
            throw ExitCode(1)
        }
        guard var observed else {
            printError("tablekeeper: table \(table) does not exist in \(runtime.region)")
            throw ExitCode(1)
        }
        // A global table exports with its replicas, each read in its own region.
        for index in observed.replicas.indices where observed.replicas[index].status == "ACTIVE" {
            let region = observed.replicas[index].region
            let replicaControl = runtime.controls.control(region: region)
            do throws(AWSError) {
                guard let description = try await replicaControl.describeTable(table) else { continue }
                let backups = try await replicaControl.describeContinuousBackups(table)
                let replica = ObservedTable(
                    region: region,
                    description: description,
                    timeToLive: TimeToLiveDescription(TimeToLiveStatus: "DISABLED", AttributeName: nil),
                    backups: backups,
                    tags: []
                )
                observed.replicas[index].encryption = replica.encryption
                observed.replicas[index].pointInTimeRecovery = replica.pointInTimeRecovery
                observed.replicas[index].deletionProtection = replica.deletionProtection
            } catch {
                printError("tablekeeper: cannot read \(table)'s replica in \(region): \(error)")
                throw ExitCode(1)
            }
        }
        // A provisioned table's auto scaling belongs in its manifest, or Tablekeeper would flag it.
        if observed.billingMode == .provisioned {
            do throws(AWSError) {
                let byTable = ObservedScaling.byTable(
                    targets: try await control.scalableTargets(),
                    policies: try await control.scalingPolicies()
                )
                observed.scaling = byTable[table] ?? ObservedScaling()
                for (unit, target) in observed.scaling.targets.sorted(by: { $0.key.field < $1.key.field }) {
                    let foreign = target.policies.map(\.name).filter { $0 != unit.policyName }
                    guard !foreign.isEmpty else { continue }
                    printError(
                        "tablekeeper: note: \(unit.field) is exported from policy \(foreign.joined(separator: ", ")), "
                            + "which Tablekeeper did not create: it flags it (autoscaling-unmanaged) until it is "
                            + "deleted, then puts its own with the exported values"
                    )
                }
            } catch {
                printError(
                    "tablekeeper: cannot read \(table)'s auto scaling: \(error); allow "
                        + "application-autoscaling:DescribeScalableTargets and DescribeScalingPolicies"
                )
                throw ExitCode(1)
            }
        }
        // Which key is the AWS managed one decides KMS versus CUSTOMER_KEY in the manifest: a failed lookup is an
        // error, never a guess that writes the wrong encryption (an emulator's NotFound means no table uses it).
        var managedKey: String?
        if case .kmsKey = observed.encryption {
            do throws(AWSError) {
                managedKey = try await control.describeKey(EncryptionSpec.awsManagedKeyAlias).Arn
            } catch  where error.kind == .notFound {
                managedKey = nil
            } catch {
                printError(
                    "tablekeeper: cannot tell whether \(table)'s key is the AWS managed key: \(error); allow "
                        + "kms:DescribeKey on alias/aws/dynamodb"
                )
                throw ExitCode(1)
            }
        }
        guard let spec = observed.exportedSpec(awsManagedKeyArn: managedKey) else {
            printError("tablekeeper: table \(table) has no partition key in its description")
            throw ExitCode(1)
        }
        print(ManifestWriter.text(spec), terminator: "")
    }
}
