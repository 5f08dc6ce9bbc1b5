extension ManifestDecoder {
    /// `autoScaling`, `onDemandThroughput` and `warmThroughput` of the table or of one index.
    static func decodeCapacity(
        _ reader: JSONReader,
        billingMode: BillingMode,
        owner: String,
        diagnostics: inout Diagnostics
    ) -> CapacitySpec {
        CapacitySpec(
            autoScaling: decodeAutoScaling(reader, billingMode: billingMode, owner: owner, diagnostics: &diagnostics),
            onDemand: decodeOnDemand(reader, billingMode: billingMode, owner: owner, diagnostics: &diagnostics),
            warm: decodeWarmThroughput(reader, diagnostics: &diagnostics)
        )
    }

    static func decodeAutoScaling(
        _ parent: JSONReader,
        billingMode: BillingMode,
        owner: String,
        diagnostics: inout Diagnostics
    ) -> AutoScalingSpec? {
        let path = parent.childPath("autoScaling")
        guard parent.has("autoScaling") else { return nil }
        guard
            let reader = parent.object(
                "autoScaling",
                what: "{\"read\": {\"min\": 5, \"max\": 500, \"targetUtilization\": 70}}",
                diagnostics: &diagnostics
            )
        else { return nil }
        if billingMode != .provisioned {
            diagnostics.add(
                path,
                "is only allowed with billingMode PROVISIONED (\(owner) is PAY_PER_REQUEST)",
                fix: "remove it (on-demand capacity scales by itself; use onDemandThroughput to cap it), or set "
                    + "\"billingMode\": \"PROVISIONED\" on the table"
            )
            return nil
        }
        reader.checkKeys(allowed: ["read", "write"], diagnostics: &diagnostics)
        if !reader.has("read"), !reader.has("write") {
            diagnostics.add(
                path,
                "names neither read nor write",
                fix: "add \"read\" and/or \"write\" as {\"min\": 5, \"max\": 500, \"targetUtilization\": 70}, or "
                    + "remove autoScaling"
            )
            return nil
        }
        var spec = AutoScalingSpec()
        var valid = true
        for dimension in CapacityDimension.allCases where reader.has(dimension.rawValue) {
            guard let range = decodeScalingRange(reader, dimension.rawValue, diagnostics: &diagnostics) else {
                valid = false
                continue
            }
            if dimension == .read { spec.read = range } else { spec.write = range }
        }
        return valid ? spec : nil
    }

    static func decodeScalingRange(
        _ parent: JSONReader,
        _ key: String,
        diagnostics: inout Diagnostics
    )
        -> ScalingRange?
    {
        guard
            let reader = parent.object(
                key,
                what: "{\"min\": 5, \"max\": 500, \"targetUtilization\": 70}",
                diagnostics: &diagnostics
            )
        else { return nil }
        reader.checkKeys(allowed: ["min", "max", "targetUtilization"], diagnostics: &diagnostics)
        let capacity: ClosedRange<Int64> = 1...ManifestRules.maximumCapacity
        let low = reader.integer("min", in: capacity, diagnostics: &diagnostics)
        let high = reader.integer("max", in: capacity, diagnostics: &diagnostics)
        // Application Auto Scaling's documented range for DynamoDB target tracking (DevGuide AutoScaling).
        let target = reader.integer("targetUtilization", in: 20...90, diagnostics: &diagnostics)
        let examples = ["min": "5", "max": "500", "targetUtilization": "70"]
        for name in ["min", "max", "targetUtilization"] where !reader.has(name) {
            diagnostics.add(
                reader.childPath(name),
                "is required",
                fix: "add \"\(name)\": \(examples[name] ?? "")"
            )
        }
        guard let low, let high, let target else { return nil }
        if low > high {
            diagnostics.add(
                reader.childPath("min"),
                "min \(low) is above max \(high)",
                fix: "make min at most max"
            )
            return nil
        }
        return ScalingRange(min: low, max: high, targetUtilization: target)
    }

    static func decodeOnDemand(
        _ parent: JSONReader,
        billingMode: BillingMode,
        owner: String,
        diagnostics: inout Diagnostics
    ) -> OnDemandLimits? {
        let path = parent.childPath("onDemandThroughput")
        guard parent.has("onDemandThroughput") else { return nil }
        guard
            let reader = parent.object(
                "onDemandThroughput",
                what: "{\"maxReadRequestUnits\": 1000, \"maxWriteRequestUnits\": 500}",
                diagnostics: &diagnostics
            )
        else { return nil }
        if billingMode != .payPerRequest {
            diagnostics.add(
                path,
                "is only allowed with billingMode PAY_PER_REQUEST (\(owner) is PROVISIONED)",
                fix: "remove it (provisioned capacity is capped by provisionedThroughput or autoScaling), or set "
                    + "\"billingMode\": \"PAY_PER_REQUEST\" on the table"
            )
            return nil
        }
        reader.checkKeys(allowed: ["maxReadRequestUnits", "maxWriteRequestUnits"], diagnostics: &diagnostics)
        var limits = OnDemandLimits()
        var valid = true
        for key in ["maxReadRequestUnits", "maxWriteRequestUnits"] where reader.has(key) {
            let value = reader.integer(key, in: -1...ManifestRules.maximumCapacity, diagnostics: &diagnostics)
            if value == 0 {
                diagnostics.add(
                    reader.childPath(key),
                    "0 is not a limit DynamoDB accepts",
                    fix: "use at least 1 request unit per second, or -1 for no limit"
                )
                valid = false
            }
            guard let value else {
                valid = false
                continue
            }
            if key == "maxReadRequestUnits" {
                limits.maxReadRequestUnits = value
            } else {
                limits.maxWriteRequestUnits = value
            }
        }
        if !reader.has("maxReadRequestUnits"), !reader.has("maxWriteRequestUnits") {
            diagnostics.add(
                path,
                "names neither maxReadRequestUnits nor maxWriteRequestUnits",
                fix: "give one or both (-1 for no limit), or remove onDemandThroughput"
            )
            return nil
        }
        return valid ? limits : nil
    }

    static func decodeWarmThroughput(_ parent: JSONReader, diagnostics: inout Diagnostics) -> WarmThroughputSpec? {
        let path = parent.childPath("warmThroughput")
        guard parent.has("warmThroughput") else { return nil }
        guard
            let reader = parent.object(
                "warmThroughput",
                what: "{\"readUnitsPerSecond\": 12000, \"writeUnitsPerSecond\": 4000}",
                diagnostics: &diagnostics
            )
        else { return nil }
        reader.checkKeys(allowed: ["readUnitsPerSecond", "writeUnitsPerSecond"], diagnostics: &diagnostics)
        if !reader.has("readUnitsPerSecond"), !reader.has("writeUnitsPerSecond") {
            diagnostics.add(
                path,
                "names neither readUnitsPerSecond nor writeUnitsPerSecond",
                fix: "give one or both, or remove warmThroughput"
            )
            return nil
        }
        // The API's minimum is 1 unit per second (TableWarmThroughputDescription, WarmThroughput).
        let range: ClosedRange<Int64> = 1...ManifestRules.maximumWarmThroughput
        let read =
            reader.has("readUnitsPerSecond")
            ? reader.integer("readUnitsPerSecond", in: range, diagnostics: &diagnostics) : nil
        let write =
            reader.has("writeUnitsPerSecond")
            ? reader.integer("writeUnitsPerSecond", in: range, diagnostics: &diagnostics) : nil
        if (reader.has("readUnitsPerSecond") && read == nil) || (reader.has("writeUnitsPerSecond") && write == nil) {
            return nil
        }
        return WarmThroughputSpec(readUnitsPerSecond: read, writeUnitsPerSecond: write)
    }
}
