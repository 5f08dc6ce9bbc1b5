import FoundationEssentials
import StatusLog
import SystemSupport

/// Human and JSON forms of the status.
enum StatusRendering {
    static func human(_ summary: StatusSummary, terminal: Terminal) -> [String] {
        var lines: [String] = []
        if summary.tables.isEmpty {
            lines.append("no table records yet")
        } else {
            let header = ["TABLE", "REGION", "OUTCOME", "REVISION", "AGE", "MESSAGE"]
            let rows = summary.tables.map { record in
                [
                    oneLine(record.table ?? ""), oneLine(record.region ?? ""), record.outcome ?? "",
                    String((record.revision ?? "-").prefix(12)), Terminal.age(since: record.date),
                    oneLine(record.error.map { "\(record.message ?? ""): \($0)" } ?? record.message ?? ""),
                ]
            }
            var painted = rows
            for index in painted.indices { painted[index][2] = terminal.outcome(rows[index][2]) }
            lines += Terminal.table([header] + rows, painted: [header] + painted)
        }
        if let cycle = summary.lastCycle {
            let counts = StatusRecord.outcomes.compactMap { outcome -> String? in
                guard let count = cycle.counts?[outcome], count > 0 else { return nil }
                return "\(count) \(outcome)"
            }
            lines.append("")
            lines.append(
                "last cycle \(cycle.cycle ?? 0) (\(cycle.trigger ?? "poll")) \(Terminal.age(since: cycle.date)) ago at "
                    + "\(String((cycle.revision ?? "no revision").prefix(12))): "
                    + (counts.isEmpty ? "no tables" : counts.joined(separator: ", "))
                    + " in \(cycle.durationMs ?? 0) ms"
            )
        }
        if let source = summary.lastSource {
            lines.append(
                "source: \(source.outcome ?? "") \(Terminal.age(since: source.date)) ago: \(oneLine(source.message ?? ""))"
            )
        }
        return lines
    }

    /// Untrusted text (table names from manifests, messages with remote error text) on one line, controls
    /// escaped.
    static func oneLine(_ text: String) -> String {
        Sanitizer.line(text.replacing("\n", with: " | "))
    }

    static func historyLine(_ record: StatusRecord, terminal: Terminal) -> String {
        let revision = String((record.revision ?? "-").prefix(12))
        switch record.kind {
        case .table:
            let changes = (record.changes ?? []).map {
                oneLine("\($0.field) \($0.from) -> \($0.to) [\($0.action)]")
            }
            var line = "\(record.time)  table  \(oneLine(record.table ?? "")) (\(oneLine(record.region ?? "")))  "
            line += "\(terminal.outcome(record.outcome ?? ""))  \(revision)  \(oneLine(record.message ?? ""))"
            if let error = record.error { line += "  error: \(oneLine(error))" }
            if !changes.isEmpty { line += "  changes: " + changes.joined(separator: "; ") }
            return line
        case .cycle:
            let counts = StatusRecord.outcomes.map { "\($0)=\(record.counts?[$0] ?? 0)" }.joined(separator: " ")
            return "\(record.time)  cycle  \(record.cycle ?? 0) (\(record.trigger ?? ""))  \(revision)  "
                + "\(record.durationMs ?? 0) ms  \(counts)"
        case .source:
            return "\(record.time)  source  \(record.outcome ?? "")  \(revision)  \(oneLine(record.message ?? ""))"
        case .leader:
            return "\(record.time)  leader  \(record.event ?? "")  \(oneLine(record.identity ?? ""))  leader "
                + "\(oneLine(record.leader ?? "unknown"))  fence \(record.fence ?? 0)  \(oneLine(record.message ?? ""))"
        }
    }

    static func json(_ summary: StatusSummary, skipped: Int, lease: LeaderLookup.Answer? = nil) -> String {
        var out = "{\"tables\":[" + summary.tables.map(\.jsonLine).joined(separator: ",") + "]"
        if let lease { out += ",\"leader\":" + LeaderLookup.json(lease) }
        out += ",\"lastCycle\":" + (summary.lastCycle?.jsonLine ?? "null")
        out += ",\"lastSource\":" + (summary.lastSource?.jsonLine ?? "null")
        out += ",\"lastLeader\":" + (summary.lastLeader?.jsonLine ?? "null")
        out += ",\"needsAttention\":\(summary.needsAttention),\"skippedLines\":\(skipped)}"
        return out
    }
}
