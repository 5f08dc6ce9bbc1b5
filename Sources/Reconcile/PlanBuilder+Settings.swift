import DynamoDBControl
import Manifest
import TablekeeperConfig

extension PlanBuilder {
    mutating func compareStream() {
        guard observed.stream != spec.stream else { return }
        let from = observed.stream?.rawValue ?? "disabled"
        let to = spec.stream?.rawValue ?? "disabled"
        var input = UpdateTableInput(TableName: spec.tableName)
        switch (observed.stream, spec.stream) {
        case (nil, let view?):
            guard inPlace("stream", from: from, to: to, class: .safe) else { return }
            input.StreamSpecification = StreamSpecificationShape(StreamEnabled: true, StreamViewType: view.rawValue)
            steps.append(.updateTable(input, what: "enable stream \(view.rawValue)", field: "stream"))
        case (.some, nil):
            guard
                inPlace(
                    "stream",
                    from: from,
                    to: to,
                    class: .destructive,
                    advice: "disabling the stream stops its consumers: set policy.destructive to \"apply\", "
                        + "disable it by hand, or keep it in the manifest"
                )
            else { return }
            input.StreamSpecification = StreamSpecificationShape(StreamEnabled: false)
            steps.append(.updateTable(input, what: "disable stream", field: "stream"))
        case (.some, .some):
            // The view type cannot be edited: DynamoDB can only disable the stream and enable a new one, with a
            // new ARN; writes made in between reach no stream. That loses change data: destructive.
            let current = observed.streamArn.map { " (\($0))" } ?? ""
            guard
                inPlace(
                    "stream",
                    from: from,
                    to: to,
                    class: .destructive,
                    advice: "a stream's view type cannot be changed in place: the stream\(current) is disabled and a "
                        + "new one with a new ARN is enabled on a later cycle, and writes made in between reach no "
                        + "stream; move its consumers to the new ARN, then set policy.destructive to \"apply\" or "
                        + "do it by hand, or keep \(from) in the manifest"
                )
            else { return }
            input.StreamSpecification = StreamSpecificationShape(StreamEnabled: false)
            steps.append(.updateTable(input, what: "disable stream to change its view to \(to)", field: "stream"))
        case (nil, nil):
            return
        }
    }

    /// How the observed encryption reads in the manifest's terms.
    func observedEncryptionSummary() -> String {
        switch observed.encryption {
        case .awsOwned: "DEFAULT"
        case .kmsKey(let arn):
            arn == context.awsManagedKeyArn ? "KMS" : "CUSTOMER_KEY(\(arn))"
        }
    }

    func encryptionMatches() -> Bool {
        switch (desired.encryption, observed.encryption) {
        case (.awsOwned, .awsOwned): true
        case (.awsManaged(let arn?), .kmsKey(let have)): arn == have
        case (.customerKey(let arn), .kmsKey(let have)): arn == have
        default: false
        }
    }

    mutating func compareEncryption() {
        guard !encryptionMatches() else { return }
        let from = observedEncryptionSummary()
        var to = spec.encryption.summary
        if case .customerKey(let arn) = desired.encryption, spec.encryption.kmsKeyArn != arn {
            to += " = \(arn)"
        }
        let command = Self.manualEncryptionCommand(
            table: spec.tableName,
            region: spec.region,
            desired: desired.encryption
        )
        guard
            inPlace(
                "encryption",
                from: from,
                to: to,
                class: .encryption,
                advice: "set policy.encryption to \"apply\" to let Tablekeeper switch the key, or run: \(command); "
                    + "AWS allows 4 key changes per table per 24 h, then one per 6 h; keep the old key enabled until "
                    + "the switch completes"
            )
        else { return }
        var input = UpdateTableInput(TableName: spec.tableName)
        input.SSESpecification = CreateTableRequest.sseShape(
            spec.encryption.sseUpdate(resolvedKeyArn: CreateTableRequest.resolvedKeyArn(desired.encryption))
        )
        steps.append(.updateTable(input, what: "switch encryption to \(spec.encryption.summary)", field: "encryption"))
    }

    static func manualEncryptionCommand(table: String, region: String, desired: ResolvedEncryption) -> String {
        let specification: String
        switch desired {
        case .awsOwned: specification = "Enabled=false"
        case .awsManaged: specification = "Enabled=true,SSEType=KMS"
        case .customerKey(let arn): specification = "Enabled=true,SSEType=KMS,KMSMasterKeyId=\(arn)"
        case .unresolvable: specification = "…"
        }
        return "aws dynamodb update-table --region \(region) --table-name \(table) --sse-specification \(specification)"
    }

    mutating func compareTableClass() {
        guard observed.tableClass != spec.tableClass else { return }
        guard
            inPlace(
                "tableClass",
                from: observed.tableClass.rawValue,
                to: spec.tableClass.rawValue,
                class: .safe
            )
        else { return }
        var input = UpdateTableInput(TableName: spec.tableName)
        input.TableClass = spec.tableClass.rawValue
        steps.append(.updateTable(input, what: "set table class \(spec.tableClass.rawValue)", field: "tableClass"))
    }

    mutating func compareDeletionProtection() {
        guard observed.deletionProtection != spec.deletionProtection else { return }
        let turningOff = !spec.deletionProtection
        guard
            inPlace(
                "deletionProtection",
                from: String(observed.deletionProtection),
                to: String(spec.deletionProtection),
                class: turningOff ? .destructive : .safe,
                advice: "turning deletion protection off makes the table deletable: set policy.destructive to "
                    + "\"apply\", or change it by hand"
            )
        else { return }
        var input = UpdateTableInput(TableName: spec.tableName)
        input.DeletionProtectionEnabled = spec.deletionProtection
        steps.append(
            .updateTable(
                input,
                what: turningOff ? "turn deletion protection off" : "turn deletion protection on",
                field: "deletionProtection"
            )
        )
    }

    mutating func compareTimeToLive() {
        guard observed.ttlAttribute != spec.ttlAttribute else { return }
        let from = observed.ttlAttribute ?? "disabled"
        let to = spec.ttlAttribute ?? "disabled"
        if observed.ttlAttribute == nil, let wanted = spec.ttlAttribute, wanted == desired.creationTTL {
            // Part of the table's creation: nothing was written before it was made with this TTL in mind.
            changes.append(Change(field: "ttlAttribute", from: from, to: to, action: .create))
            steps.append(.timeToLive(attribute: wanted, enabled: true))
            return
        }
        // Enabling or renaming TTL makes DynamoDB delete every item whose attribute holds a past epoch time.
        guard
            inPlace(
                "ttlAttribute",
                from: from,
                to: to,
                class: spec.ttlAttribute == nil ? .safe : .destructive,
                advice: "DynamoDB will delete every item whose \(to) holds a past epoch time: check the data, "
                    + "then set policy.destructive to \"apply\" or change TTL by hand"
            )
        else { return }
        if let current = observed.ttlAttribute {
            // A rename is a disable now and an enable later (AWS allows one TTL change per hour).
            steps.append(.timeToLive(attribute: current, enabled: false))
        } else if let wanted = spec.ttlAttribute {
            steps.append(.timeToLive(attribute: wanted, enabled: true))
        }
    }

    mutating func comparePointInTimeRecovery() {
        guard observed.pointInTimeRecovery != spec.pointInTimeRecovery else { return }
        let turningOff = !spec.pointInTimeRecovery
        guard
            inPlace(
                "pointInTimeRecovery",
                from: String(observed.pointInTimeRecovery),
                to: String(spec.pointInTimeRecovery),
                class: turningOff ? .destructive : .safe,
                advice: "turning point-in-time recovery off deletes the continuous backups: set policy.destructive "
                    + "to \"apply\", or change it by hand"
            )
        else { return }
        steps.append(.pointInTimeRecovery(spec.pointInTimeRecovery))
    }

    mutating func compareTags() {
        let have = observed.tags.filter { !ReconcileTags.isReserved($0.key) }
        var toTag: [TagShape] = []
        for (key, value) in spec.tags.sorted(by: { $0.key < $1.key }) where have[key] != value {
            if inPlace("tags[\(key)]", from: have[key] ?? "absent", to: value, class: .safe) {
                toTag.append(TagShape(Key: key, Value: value))
            }
        }
        var toUntag: [String] = []
        for key in have.keys.sorted() where spec.tags[key] == nil {
            if inPlace(
                "tags[\(key)]",
                from: have[key] ?? "",
                to: "absent",
                class: .destructive,
                advice: "the table has a tag the manifest does not name: add it to the manifest, remove it by hand, "
                    + "or set policy.destructive to \"apply\""
            ) {
                toUntag.append(key)
            }
        }
        // Adopted tables get Tablekeeper's own tags, so a removed manifest is reported as an orphan later. This is
        // housekeeping, not a difference from the manifest: it adds a step but no change.
        if policy.updates == .apply {
            let manifest = ReconcileTags.manifestValue(desired.manifest)
            for (key, value) in [(ReconcileTags.managed, "true"), (ReconcileTags.manifest, manifest)]
            where observed.tags[key] != value {
                toTag.append(TagShape(Key: key, Value: value))
            }
        }
        if !toTag.isEmpty { steps.append(.tag(toTag)) }
        if !toUntag.isEmpty { steps.append(.untag(toUntag)) }
    }
}
