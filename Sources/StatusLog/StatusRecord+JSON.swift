public import Foundation
import Manifest
import UTCTime

extension StatusRecord {
    /// The record as one line of compact JSON, members in the contract's order, without the newline.
    public var jsonLine: String {
        var out = "{\"v\":\(version),\"time\":\(Self.quote(time)),\"kind\":\(Self.quote(kind.rawValue))"
        if let cycle { out += ",\"cycle\":\(cycle)" }
        if kind != .cycle || revision != nil { out += ",\"revision\":\(revision.map(Self.quote) ?? "null")" }
        switch kind {
        case .table:
            out += ",\"manifest\":\(manifest.map(Self.quote) ?? "null")"
            out += ",\"table\":\(Self.quote(table ?? "")),\"region\":\(Self.quote(region ?? ""))"
            out += ",\"outcome\":\(Self.quote(outcome ?? ""))"
            out += ",\"changes\":[" + (changes ?? []).map(Self.changeJSON).joined(separator: ",") + "]"
            out += ",\"message\":\(Self.quote(message ?? "")),\"error\":\(error.map(Self.quote) ?? "null")"
        case .cycle:
            out += ",\"trigger\":\(Self.quote(trigger ?? "poll")),\"durationMs\":\(durationMs ?? 0)"
            let counts = counts ?? [:]
            let parts = Self.outcomes.map { "\(Self.quote($0)):\(counts[$0] ?? 0)" }
            out += ",\"counts\":{" + parts.joined(separator: ",") + "}"
        case .source:
            out += ",\"outcome\":\(Self.quote(outcome ?? "")),\"message\":\(Self.quote(message ?? ""))"
        }
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
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any],
            object["v"] as? Int == 1, let time = object["time"] as? String,
            let kind = (object["kind"] as? String).flatMap(Kind.init(rawValue:))
        else { return nil }
        var record = StatusRecord(time: time, kind: kind)
        record.cycle = object["cycle"] as? Int
        record.revision = object["revision"] as? String
        record.manifest = object["manifest"] as? String
        record.table = object["table"] as? String
        record.region = object["region"] as? String
        record.outcome = object["outcome"] as? String
        record.message = object["message"] as? String
        record.error = object["error"] as? String
        record.trigger = object["trigger"] as? String
        record.durationMs = object["durationMs"] as? Int
        record.counts = object["counts"] as? [String: Int]
        if let changes = object["changes"] as? [[String: Any]] {
            record.changes = changes.map { change in
                ChangeRecord(
                    field: change["field"] as? String ?? "",
                    from: change["from"] as? String ?? "",
                    to: change["to"] as? String ?? "",
                    action: change["action"] as? String ?? "",
                    reason: change["reason"] as? String
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
