public import FoundationEssentials
import Manifest
import UTCTime

extension StatusRecord {
    /// The record as one line of compact JSON, members in the contract's order, without the newline.
    public var jsonLine: String {
        var out = "{\"v\":\(version),\"time\":\(Self.quote(time)),\"kind\":\(Self.quote(kind.rawValue))"
        if let cycle { out += ",\"cycle\":\(cycle)" }
        if kind == .table || kind == .source || revision != nil {
            out += ",\"revision\":\(revision.map(Self.quote) ?? "null")"
        }
        switch kind {
        case .table:
            out += ",\"manifest\":\(manifest.map(Self.quote) ?? "null")"
            out += ",\"table\":\(Self.quote(table ?? "")),\"region\":\(Self.quote(region ?? ""))"
            out += ",\"outcome\":\(Self.quote(outcome ?? ""))"
            out += ",\"changes\":[" + (changes ?? []).map(Self.changeJSON).joined(separator: ",") + "]"
            out += ",\"message\":\(Self.quote(message ?? "")),\"error\":\(error.map(Self.quote) ?? "null")"
            if let tableCreated { out += ",\"tableCreated\":\(Self.quote(tableCreated))" }
        case .cycle:
            out += ",\"trigger\":\(Self.quote(trigger ?? "poll")),\"durationMs\":\(durationMs ?? 0)"
            let counts = counts ?? [:]
            let parts = Self.outcomes.map { "\(Self.quote($0)):\(counts[$0] ?? 0)" }
            out += ",\"counts\":{" + parts.joined(separator: ",") + "}"
            if let requests {
                let spent = requests.sorted { $0.key < $1.key }.map { "\(Self.quote($0.key)):\($0.value)" }
                out += ",\"requests\":{" + spent.joined(separator: ",") + "}"
            }
        case .source:
            out += ",\"outcome\":\(Self.quote(outcome ?? "")),\"message\":\(Self.quote(message ?? ""))"
        case .leader:
            out += ",\"event\":\(Self.quote(event ?? "")),\"identity\":\(Self.quote(identity ?? ""))"
            out += ",\"leader\":\(leader.map(Self.quote) ?? "null"),\"message\":\(Self.quote(message ?? ""))"
        }
        if let fence { out += ",\"fence\":\(fence)" }
        return out + "}"
    }

    static func changeJSON(_ change: ChangeRecord) -> String {
        var out = "{\"field\":\(quote(change.field)),\"from\":\(quote(change.from)),\"to\":\(quote(change.to))"
        out += ",\"action\":\(quote(change.action))"
        out += ",\"reason\":\(change.reason.map(quote) ?? "null")}"
        return out
    }

    /// A JSON string literal of `text`.
    public static func quote(_ text: String) -> String {
        JSONValue.quoted(text)
    }

    /// Parses one line; nil for a torn or foreign line.
    public static func parse(line: some Collection<UInt8>) -> StatusRecord? {
        guard case .object(let members)? = try? JSONParser.parse(Array(line)) else { return nil }
        var object: [String: JSONValue] = [:]
        for member in members where object[member.key] == nil { object[member.key] = member.value }
        func string(_ value: JSONValue?) -> String? { value?.stringValue }
        func int(_ value: JSONValue?) -> Int? {
            if case .number(let text)? = value { return Int(text) }
            return nil
        }
        guard int(object["v"]) == 1, let time = string(object["time"]),
            let kind = string(object["kind"]).flatMap(Kind.init(rawValue:))
        else { return nil }
        var record = StatusRecord(time: time, kind: kind)
        record.cycle = int(object["cycle"])
        record.revision = string(object["revision"])
        record.manifest = string(object["manifest"])
        record.table = string(object["table"])
        record.region = string(object["region"])
        record.outcome = string(object["outcome"])
        record.message = string(object["message"])
        record.error = string(object["error"])
        record.tableCreated = string(object["tableCreated"])
        record.trigger = string(object["trigger"])
        record.durationMs = int(object["durationMs"])
        record.event = string(object["event"])
        record.identity = string(object["identity"])
        record.leader = string(object["leader"])
        record.fence = int(object["fence"])
        func counts(_ value: JSONValue?) -> [String: Int]? {
            guard case .object(let members)? = value else { return nil }
            var parsed: [String: Int] = [:]
            for member in members {
                guard let count = int(member.value) else { continue }
                parsed[member.key] = count
            }
            return parsed
        }
        record.counts = counts(object["counts"])
        record.requests = counts(object["requests"])
        if case .array(let changes)? = object["changes"] {
            record.changes = changes.compactMap { change in
                guard case .object = change else { return nil }
                return ChangeRecord(
                    field: string(change["field"]) ?? "",
                    from: string(change["from"]) ?? "",
                    to: string(change["to"]) ?? "",
                    action: string(change["action"]) ?? "",
                    reason: string(change["reason"])
                )
            }
        }
        return record
    }

    /// `2026-11-29T04:29:09.123Z` for a date.
    public static func timestamp(_ date: Date) -> String {
        UTCTime.format(date)
    }

    /// The record's time as a date.
    public var date: Date? {
        UTCTime.parse(time)
    }
}
