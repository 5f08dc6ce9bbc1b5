import Manifest

extension ConfigurationDecoder {
    /// `leader`: the lease several daemons elect one leader through.
    static func decodeLeader(
        _ reader: JSONReader,
        diagnostics: inout Diagnostics
    ) -> TablekeeperConfiguration.Leader {
        reader.checkKeys(
            allowed: ["table", "region", "name", "leaseDuration", "renewEvery"],
            diagnostics: &diagnostics
        )
        var leader = TablekeeperConfiguration.Leader()
        if let table = reader.string("table", diagnostics: &diagnostics) {
            if ManifestRules.isValidName(table) {
                leader.table = table
            } else {
                diagnostics.add(
                    reader.childPath("table"),
                    "\(quoted(table)) is not a DynamoDB table name",
                    fix: "use 3 to 255 letters, digits, '_', '-' or '.'"
                )
            }
        }
        if let region = reader.string("region", diagnostics: &diagnostics) {
            if ManifestRules.isValidRegion(region) {
                leader.region = region
            } else {
                diagnostics.add(
                    reader.childPath("region"),
                    "\(quoted(region)) is not an AWS region name",
                    fix: "use a name like us-east-1, or leave it out for aws.region"
                )
            }
        }
        if let name = reader.string("name", diagnostics: &diagnostics) {
            if name.isEmpty || name.utf8.count > 1024 {
                diagnostics.add(reader.childPath("name"), "must be 1 to 1,024 bytes", fix: "use e.g. \"default\"")
            } else {
                leader.name = name
            }
        }
        leader.leaseDuration =
            duration(reader, "leaseDuration", minimum: .seconds(1), diagnostics: &diagnostics) ?? leader.leaseDuration
        leader.renewEvery =
            duration(reader, "renewEvery", minimum: .milliseconds(100), diagnostics: &diagnostics) ?? leader.renewEvery
        if leader.renewEvery * 2 > leader.leaseDuration {
            diagnostics.add(
                reader.childPath("renewEvery"),
                "\(DurationText.format(leader.renewEvery)) is more than half of leaseDuration "
                    + "\(DurationText.format(leader.leaseDuration)): one late renewal would lose the lease",
                fix: "renew at least twice per lease, e.g. leaseDuration 20s with renewEvery 5s"
            )
        }
        return leader
    }
}
