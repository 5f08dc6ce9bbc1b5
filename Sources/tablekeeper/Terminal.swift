import FoundationEssentials
import Glibc

/// Colour and alignment for human output: colour only on a terminal and never with `NO_COLOR`.
struct Terminal {
    let isColored: Bool

    static let standardOutput = Terminal(
        isColored: isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    )

    func paint(_ text: String, _ code: String) -> String {
        isColored ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    func outcome(_ outcome: String) -> String {
        switch outcome {
        case "flagged", "invalid", "failed": paint(outcome, "1;31")
        case "pending", "created", "updated": paint(outcome, "33")
        case "in_sync": paint(outcome, "32")
        default: outcome
        }
    }

    /// Rows as aligned columns; the last column is not padded. Widths ignore colour codes.
    static func table(_ rows: [[String]], painted: [[String]]? = nil) -> [String] {
        guard let first = rows.first else { return [] }
        var widths = [Int](repeating: 0, count: first.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        let shown = painted ?? rows
        return zip(rows, shown).map { row, display in
            var line = ""
            for (index, cell) in row.enumerated() {
                let text = index < display.count ? display[index] : cell
                if index == row.count - 1 {
                    line += text
                } else {
                    line += text + String(repeating: " ", count: widths[index] - cell.count + 2)
                }
            }
            return line
        }
    }

    /// `5s`, `3m`, `2h`, `4d` since a date.
    static func age(since date: Date?, now: Date = Date()) -> String {
        guard let date else { return "-" }
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 120 { return "\(seconds)s" }
        if seconds < 7200 { return "\(seconds / 60)m" }
        if seconds < 172_800 { return "\(seconds / 3600)h" }
        return "\(seconds / 86400)d"
    }
}
