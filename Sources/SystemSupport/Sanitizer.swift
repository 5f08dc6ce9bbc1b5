/// Makes untrusted text safe to show to a person: commit summaries, file names, table names from manifests
/// that did not parse, and error text from remote servers all pass through here before human output.
///
/// C0 controls, DEL, C1 controls and the Unicode bidirectional controls are written as visible escapes
/// (`\x1b`, `\u{202e}`), so a pushed file name or a server's message cannot move the cursor, recolour the
/// terminal, set its title or make text read in another order than it is stored.
public enum Sanitizer {
    /// One line: every control is escaped, line breaks and tabs too.
    public static func line(_ text: String) -> String {
        escape(text, keepingLineBreaks: false)
    }

    /// Several lines: line breaks stay, every other control is escaped.
    public static func lines(_ text: String) -> String {
        escape(text, keepingLineBreaks: true)
    }

    /// Whether a text holds anything `line` would escape.
    public static func hasControls(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }

    static func escape(_ text: String, keepingLineBreaks: Bool) -> String {
        guard hasControls(text) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            if keepingLineBreaks, scalar == "\n" {
                out.unicodeScalars.append(scalar)
            } else if isControl(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += scalar.value < 0x80 ? "\\x\(hex.count == 1 ? "0" + hex : hex)" : "\\u{\(hex)}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// C0 (U+0000–U+001F), DEL (U+007F), C1 (U+0080–U+009F), and the bidirectional formatting characters.
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
