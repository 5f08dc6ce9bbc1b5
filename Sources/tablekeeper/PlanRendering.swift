import Reconcile
import StatusLog
import SystemSupport

/// Human and JSON forms of a plan.
struct PlanRendering {
    let prepared: PreparedCycle

    struct Entry {
        var table: String
        var region: String
        var manifest: String?
        var verdict: String
        var changes: [Change]
        var note: String?
    }

    var entries: [Entry] {
        var entries: [Entry] = []
        for table in prepared.tables {
            let plan = table.plan
            let verdict: String
            if plan.failure != nil {
                verdict = "failed"
            } else if plan.changes.contains(where: { $0.action == .create }) {
                verdict = "create"
            } else if plan.changes.contains(where: { $0.action == .flag }) {
                verdict = "flag"
            } else if !plan.changes.isEmpty {
                verdict = "update"
            } else {
                verdict = plan.waitingReason == nil ? "in sync" : "pending"
            }
            entries.append(
                Entry(
                    table: plan.table,
                    region: plan.region,
                    manifest: plan.manifest,
                    verdict: verdict,
                    changes: plan.changes,
                    note: plan.failure ?? plan.waitingReason.map { "waiting: \($0)" }
                )
            )
        }
        for result in prepared.settled {
            entries.append(
                Entry(
                    table: result.table,
                    region: result.region,
                    manifest: result.manifest,
                    verdict: result.outcome.rawValue,
                    changes: [],
                    note: result.error ?? result.message
                )
            )
        }
        for plan in prepared.orphans {
            entries.append(
                Entry(table: plan.table, region: plan.region, manifest: nil, verdict: "flag", changes: plan.changes)
            )
        }
        return entries.sorted { ($0.region, $0.table) < ($1.region, $1.table) }
    }

    var isNothingToDo: Bool {
        entries.allSatisfy { $0.verdict == "in sync" }
    }

    func human(terminal: Terminal) -> [String] {
        var lines: [String] = []
        var tally: [String: Int] = [:]
        for entry in entries {
            tally[entry.verdict, default: 0] += 1
            let verdict: String
            switch entry.verdict {
            case "in sync": verdict = terminal.paint(entry.verdict, "32")
            case "create", "update", "pending": verdict = terminal.paint(entry.verdict, "33")
            default: verdict = terminal.paint(entry.verdict, "1;31")
            }
            lines.append("\(Sanitizer.line(entry.table)) (\(Sanitizer.line(entry.region)))  \(verdict)")
            for change in entry.changes {
                let mark: String
                switch change.action {
                case .create: mark = terminal.paint("+", "32")
                case .update: mark = terminal.paint("~", "33")
                case .flag: mark = terminal.paint("!", "1;31")
                }
                let reason = change.reason.map { " [\($0.rawValue)]" } ?? ""
                let text = Sanitizer.line("\(change.field): \(change.from) -> \(change.to)")
                lines.append("    \(mark) \(text)\(reason)")
                if let advice = change.advice { lines.append("        \(Sanitizer.line(advice))") }
            }
            if let note = entry.note {
                for line in note.split(separator: "\n") { lines.append("    \(Sanitizer.line(String(line)))") }
            }
        }
        let order = ["create", "update", "flag", "pending", "in sync", "invalid", "failed"]
        let summary = order.compactMap { verdict in tally[verdict].map { "\($0) \(verdict)" } }
        lines.append("")
        lines.append("Plan: " + (summary.isEmpty ? "no tables" : summary.joined(separator: ", ")))
        return lines
    }

    func json() -> String {
        let items = entries.map { entry in
            var out = "{\"table\":\(quote(entry.table)),\"region\":\(quote(entry.region))"
            out += ",\"manifest\":\(entry.manifest.map(quote) ?? "null"),\"action\":\(quote(entry.verdict))"
            out +=
                ",\"changes\":["
                + entry.changes.map { change in
                    let record = change.record
                    return
                        "{\"field\":\(quote(record.field)),\"from\":\(quote(record.from)),\"to\":\(quote(record.to)),"
                        + "\"action\":\(quote(record.action)),\"reason\":\(record.reason.map(quote) ?? "null"),"
                        + "\"advice\":\(change.advice.map(quote) ?? "null")}"
                }.joined(separator: ",") + "]"
            out += ",\"note\":\(entry.note.map(quote) ?? "null")}"
            return out
        }
        return "{\"tables\":[" + items.joined(separator: ",") + "],\"nothingToDo\":\(isNothingToDo)}"
    }

    func quote(_ text: String) -> String {
        StatusRecord.quote(text)
    }
}
