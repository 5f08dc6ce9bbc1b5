import SystemSupport

/// Durations written as in the config file: `500ms`, `30s`, `5m`, `1h`.
public enum DurationText {
    /// Parses a duration; nil when the text is not one.
    public static func parse(_ text: String) -> Duration? {
        let units: [(suffix: String, milliseconds: Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for unit in units where text.hasSuffix(unit.suffix) {
            let number = text.dropLast(unit.suffix.count)
            // "5ms" also ends with "s": only accept a number before the suffix.
            guard !number.isEmpty, number.allSatisfy(\.isNumber), number.count <= 9, let value = Int64(number) else {
                continue
            }
            return .milliseconds(value * unit.milliseconds)
        }
        return nil
    }

    /// `30s`, `5m`, `1h`, or milliseconds when not a whole number of seconds.
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.inMilliseconds
        if milliseconds % 3_600_000 == 0 { return "\(milliseconds / 3_600_000)h" }
        if milliseconds % 60_000 == 0 { return "\(milliseconds / 60_000)m" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(milliseconds)ms"
    }
}
