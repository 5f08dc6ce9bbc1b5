extension ManifestDecoder {
    static func decodeTTL(_ root: JSONReader, context: TableContext, diagnostics: inout Diagnostics) -> String? {
        guard let name = root.string("ttlAttribute", diagnostics: &diagnostics) else { return nil }
        guard (1...255).contains(name.utf8.count) else {
            diagnostics.add(
                "$.ttlAttribute",
                "must be 1 to 255 bytes long",
                fix: "name the attribute, or remove the key"
            )
            return nil
        }
        if let key = context.attributeTypes[name], key.type != .number {
            diagnostics.add(
                "$.ttlAttribute",
                "\(quoted(name)) is a key attribute of type \(key.type.rawValue) (at \(key.path))",
                fix: "a TTL attribute that is also a key must be of type N"
            )
        }
        return name
    }

    static func decodeStream(_ root: JSONReader, diagnostics: inout Diagnostics) -> StreamView? {
        guard let text = root.string("stream", diagnostics: &diagnostics) else { return nil }
        if text == "DISABLED" { return nil }
        if let view = StreamView(rawValue: text) { return view }
        let names = StreamView.allCases.map(\.rawValue) + ["DISABLED"]
        let hint = Spelling.suggestion(for: text, among: names).map { "did you mean \(quoted($0))? " } ?? ""
        diagnostics.add(
            "$.stream",
            "\(quoted(text)) is not one of \(names.joined(separator: ", "))",
            fix: "\(hint)use a stream view type, or remove the key for no stream"
        )
        return nil
    }

    static func decodeTags(_ root: JSONReader, diagnostics: inout Diagnostics) -> [String: String] {
        guard let reader = root.object("tags", what: "tags as {\"key\": \"value\"}", diagnostics: &diagnostics) else {
            return [:]
        }
        if reader.members.count > ManifestRules.maximumTags {
            diagnostics.add(
                "$.tags",
                "has \(reader.members.count) tags",
                fix: "keep at most \(ManifestRules.maximumTags): DynamoDB allows 50 tags per table and Tablekeeper "
                    + "adds tablekeeper:managed and tablekeeper:manifest"
            )
        }
        var tags: [String: String] = [:]
        for member in reader.members {
            let path = reader.childPath(member.key)
            if tags[member.key] != nil {
                diagnostics.add(path, "duplicate tag \(quoted(member.key))", fix: "keep one of them")
                continue
            }
            guard case .string(let value) = member.value else {
                diagnostics.add(
                    path,
                    "must be a string, found \(member.value.kindDescription)",
                    fix: "quote the tag value"
                )
                continue
            }
            let key = member.key
            if key.hasPrefix(ManifestRules.awsTagPrefix) {
                diagnostics.add(path, "tag keys starting with \"aws:\" belong to AWS", fix: "choose another key")
            } else if key.hasPrefix(ManifestRules.reservedTagPrefix) {
                diagnostics.add(path, "tag keys starting with \"tablekeeper:\" are reserved", fix: "choose another key")
            } else if !(1...128).contains(key.count) || !ManifestRules.isTagText(key) {
                diagnostics.add(
                    path,
                    "\(quoted(key)) is not a valid tag key",
                    fix:
                        "use 1 to 128 letters, digits, white space and + - = . _ : /; DynamoDB allows no other characters"
                )
            } else if value.count > 256 || !ManifestRules.isTagText(value) {
                diagnostics.add(
                    path,
                    "is not a valid tag value",
                    fix:
                        "use at most 256 letters, digits, white space and + - = . _ : /; DynamoDB allows no other characters"
                )
            }
            tags[key] = value
        }
        return tags
    }

    static func decodeEncryption(
        _ root: JSONReader,
        region: String?,
        defaults: ManifestDefaults,
        diagnostics: inout Diagnostics
    ) -> EncryptionSpec? {
        guard root.has("encryption") else { return defaults.encryption }
        guard let reader = root.object("encryption", what: "{\"type\": \"KMS\"}", diagnostics: &diagnostics) else {
            return nil
        }
        return decodeEncryptionObject(reader, tableRegion: region, diagnostics: &diagnostics)
    }

    /// Decodes `{"type": ..., "kmsKeyArn": ...}`; shared with the config file's `defaults.encryption`.
    package static func decodeEncryptionObject(
        _ reader: JSONReader,
        tableRegion: String?,
        diagnostics: inout Diagnostics
    ) -> EncryptionSpec? {
        reader.checkKeys(allowed: ["type", "kmsKeyArn"], diagnostics: &diagnostics)
        let type = reader.enumeration("type", EncryptionType.self, diagnostics: &diagnostics)
        if type == nil, !reader.has("type") {
            diagnostics.add(
                reader.childPath("type"),
                "is required",
                fix: "use \"DEFAULT\", \"KMS\" or \"CUSTOMER_KEY\""
            )
        }
        let arn = reader.string("kmsKeyArn", diagnostics: &diagnostics)
        let arnPath = reader.childPath("kmsKeyArn")
        switch type {
        case .customerKey?:
            guard let arn else {
                if !reader.has("kmsKeyArn") {
                    diagnostics.add(
                        arnPath,
                        "is required with type CUSTOMER_KEY",
                        fix: "give the key ARN or alias ARN, e.g. arn:aws:kms:us-east-1:111122223333:alias/my-key"
                    )
                }
                return nil
            }
            if arn.hasSuffix(":alias/aws/dynamodb") {
                diagnostics.add(
                    arnPath,
                    "alias/aws/dynamodb is the AWS managed key, not a customer managed key",
                    fix: "use {\"type\": \"KMS\"} for the AWS managed key"
                )
                return nil
            }
            guard let keyRegion = ManifestRules.kmsRegion(ofARN: arn) else {
                diagnostics.add(
                    arnPath,
                    "\(quoted(arn)) is not a KMS key ARN or alias ARN",
                    fix: "use arn:aws:kms:REGION:ACCOUNT:key/KEY-ID or arn:aws:kms:REGION:ACCOUNT:alias/NAME"
                )
                return nil
            }
            if let tableRegion, !tableRegion.isEmpty, keyRegion != tableRegion {
                diagnostics.add(
                    arnPath,
                    "the key is in \(keyRegion) but the table is in \(tableRegion)",
                    fix: "use a KMS key in the table's region"
                )
                return nil
            }
            return .customerKey(arn)
        case let type?:
            if reader.has("kmsKeyArn") {
                diagnostics.add(
                    arnPath,
                    "is only allowed with type CUSTOMER_KEY",
                    fix: "remove it, or set \"type\": \"CUSTOMER_KEY\""
                )
                return nil
            }
            return EncryptionSpec(type: type)
        case nil:
            return nil
        }
    }
}
