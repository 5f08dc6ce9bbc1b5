extension ManifestDecoder {
    /// `replicas`, and what version 2019.11.21 requires of a table before it can have any (each rule with its source).
    static func decodeReplicas(
        _ root: JSONReader,
        region: String?,
        table: TableSpec,
        diagnostics: inout Diagnostics
    ) -> [ReplicaSpec] {
        guard let elements = root.array("replicas", diagnostics: &diagnostics), !elements.isEmpty else { return [] }
        var result: [ReplicaSpec] = []
        var seen: [String: String] = [:]
        for (offset, element) in elements.enumerated() {
            let path = "$.replicas[\(offset)]"
            guard let reader = JSONReader(element, path: path, what: "each replica", diagnostics: &diagnostics) else {
                continue
            }
            reader.checkKeys(
                allowed: ["region", "kmsKeyArn", "tableClass", "pointInTimeRecovery", "deletionProtection"],
                diagnostics: &diagnostics
            )
            guard let replicaRegion = reader.string("region", diagnostics: &diagnostics) else {
                if !reader.has("region") {
                    diagnostics.add(path + ".region", "is required", fix: "name the replica's region, e.g. eu-west-1")
                }
                continue
            }
            guard ManifestRules.isValidRegion(replicaRegion) else {
                diagnostics.add(
                    path + ".region",
                    "\(quoted(replicaRegion)) is not an AWS region name",
                    fix: "use a name like eu-west-1"
                )
                continue
            }
            if let region, replicaRegion == region {
                diagnostics.add(
                    path + ".region",
                    "\(replicaRegion) is the table's own region",
                    fix: "list only other regions: the table itself is the replica in \(region)"
                )
                continue
            }
            if let previous = seen[replicaRegion] {
                diagnostics.add(
                    path + ".region",
                    "\(replicaRegion) is already listed at \(previous)",
                    fix: "list it once"
                )
                continue
            }
            seen[replicaRegion] = path + ".region"
            let key = decodeReplicaKey(
                reader,
                replicaRegion: replicaRegion,
                type: table.encryption.type,
                diagnostics: &diagnostics
            )
            let tableClass = reader.enumeration("tableClass", TableClass.self, diagnostics: &diagnostics)
            let pitr = reader.bool("pointInTimeRecovery", diagnostics: &diagnostics)
            let protection = reader.bool("deletionProtection", diagnostics: &diagnostics)
            guard let key else { continue }
            result.append(
                ReplicaSpec(
                    region: replicaRegion,
                    kmsKeyArn: key.isEmpty ? nil : key,
                    tableClass: tableClass,
                    pointInTimeRecovery: pitr,
                    deletionProtection: protection
                )
            )
        }
        checkGlobalTablePreconditions(root, table: table, diagnostics: &diagnostics)
        return result
    }

    /// The replica's key: "" when none is named (and none is needed), nil when invalid.
    static func decodeReplicaKey(
        _ reader: JSONReader,
        replicaRegion: String,
        type: EncryptionType,
        diagnostics: inout Diagnostics
    ) -> String? {
        let path = reader.childPath("kmsKeyArn")
        let arn = reader.string("kmsKeyArn", diagnostics: &diagnostics)
        guard type == .customerKey else {
            if reader.has("kmsKeyArn") {
                diagnostics.add(
                    path,
                    "is only allowed when the table's encryption is CUSTOMER_KEY (it is \(type.rawValue))",
                    fix:
                        "remove it: each replica uses the \(type == .kms ? "AWS managed key" : "AWS owned key") of its "
                        + "own region"
                )
                return nil
            }
            return ""
        }
        guard let arn else {
            if !reader.has("kmsKeyArn") {
                diagnostics.add(
                    path,
                    "is required: with CUSTOMER_KEY every replica names its own key",
                    fix: "give a key ARN or alias ARN in \(replicaRegion), e.g. "
                        + "arn:aws:kms:\(replicaRegion):111122223333:alias/my-key"
                )
            }
            return nil
        }
        if arn.hasSuffix(":alias/aws/dynamodb") {
            diagnostics.add(
                path,
                "alias/aws/dynamodb is the AWS managed key, not a customer managed key",
                fix: "name a customer managed key in \(replicaRegion)"
            )
            return nil
        }
        guard let keyRegion = ManifestRules.kmsRegion(ofARN: arn) else {
            diagnostics.add(
                path,
                "\(quoted(arn)) is not a KMS key ARN or alias ARN",
                fix:
                    "use arn:aws:kms:\(replicaRegion):ACCOUNT:key/KEY-ID or arn:aws:kms:\(replicaRegion):ACCOUNT:alias/NAME"
            )
            return nil
        }
        if keyRegion != replicaRegion {
            diagnostics.add(
                path,
                "the key is in \(keyRegion) but the replica is in \(replicaRegion)",
                fix: "use a KMS key in \(replicaRegion): KMS keys are regional"
            )
            return nil
        }
        return arn
    }

    /// What DynamoDB requires of a table before replicas can be added (version 2019.11.21).
    static func checkGlobalTablePreconditions(_ root: JSONReader, table: TableSpec, diagnostics: inout Diagnostics) {
        // Write capacity must be on demand or auto scaled, the table's and every index's (DevGuide
        // V2globaltables_reqs_bestpractices; UpdateTable answers "Table write capacity should either be
        // Pay-Per-Request or AutoScaled.").
        if table.billingMode == .provisioned {
            if table.capacity.autoScaling?.write == nil {
                diagnostics.add(
                    "$.replicas",
                    "a global table with billingMode PROVISIONED needs auto scaled write capacity",
                    fix:
                        "add \"autoScaling\": {\"write\": {\"min\": 5, \"max\": 100, \"targetUtilization\": 70}}, or use "
                        + "PAY_PER_REQUEST"
                )
            }
            for (offset, index) in table.globalSecondaryIndexes.enumerated()
            where index.capacity.autoScaling?.write == nil {
                diagnostics.add(
                    "$.globalSecondaryIndexes[\(offset)]",
                    "index \(quoted(index.name)) of a global table with billingMode PROVISIONED needs auto scaled "
                        + "write capacity",
                    fix: "add \"autoScaling\": {\"write\": {...}} to the index, or use PAY_PER_REQUEST"
                )
            }
        }
        // Replication runs on a NEW_AND_OLD_IMAGES stream, which adding a replica turns on and which cannot be
        // disabled or retyped while the table is global (DevGuide V2globaltables_HowItWorks; UpdateTable refuses).
        if let stream = table.stream, stream != .newAndOldImages {
            diagnostics.add(
                "$.stream",
                "a global table replicates through a NEW_AND_OLD_IMAGES stream, not \(stream.rawValue)",
                fix: "use \"stream\": \"NEW_AND_OLD_IMAGES\" or remove it (replicas turn it on)"
            )
        }
        if root.value("stream", diagnostics: &diagnostics)?.stringValue == "DISABLED" {
            diagnostics.add(
                "$.stream",
                "a global table's stream cannot be disabled",
                fix: "remove \"stream\" (replicas turn NEW_AND_OLD_IMAGES on), or remove the replicas"
            )
        }
    }
}
