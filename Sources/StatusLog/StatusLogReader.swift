public import FoundationEssentials

/// Reads the status log and its rotated files, oldest first, skipping torn lines.
public enum StatusLogReader {
    /// The files that make up the log, oldest first: `path.N` … `path.1`, `path`.
    public static func files(path: String, keep: Int = 100) -> [String] {
        var result: [String] = []
        for index in stride(from: keep, through: 1, by: -1)
        where FileManager.default.fileExists(atPath: "\(path).\(index)") {
            result.append("\(path).\(index)")
        }
        if FileManager.default.fileExists(atPath: path) { result.append(path) }
        return result
    }

    /// The records of every file, oldest first, and how many lines were torn or unreadable.
    ///
    /// - Parameter latestCycleOnly: keep only the last `cycle` record. Cycle records are most of a long log
    ///   and neither the current state nor a restart needs the older ones, so they are not even parsed.
    public static func read(path: String, latestCycleOnly: Bool = false) -> (records: [StatusRecord], skippedLines: Int)
    {
        var records: [StatusRecord] = []
        var skipped = 0
        var lastCycle: StatusRecord?
        for file in files(path: path) {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let result = parse(data, latestCycleOnly: latestCycleOnly)
            records += result.records
            skipped += result.skippedLines
            if let cycle = result.lastCycle { lastCycle = cycle }
        }
        if let lastCycle { records.append(lastCycle) }
        return (records, skipped)
    }

    /// Parses JSON Lines; lines that are not records (torn by a crash) are counted, not returned.
    public static func parse(_ data: Data) -> (records: [StatusRecord], skippedLines: Int) {
        let result = parse(data, latestCycleOnly: false)
        return (result.records, result.skippedLines)
    }

    static let cycleMarker = Array(#""kind":"cycle""#.utf8)
    static let tableMarker = Array(#""kind":"table""#.utf8)
    static let tableField = Array(#""table":""#.utf8)
    static let regionField = Array(#""region":""#.utf8)

    /// Parses JSON Lines. With `latestCycleOnly`, only the last record of each table and the last cycle
    /// record are parsed: the others are recognised by their kind and key without a full parse.
    static func parse(
        _ data: Data,
        latestCycleOnly: Bool
    ) -> (records: [StatusRecord], skippedLines: Int, lastCycle: StatusRecord?) {
        var records: [(position: Int, record: StatusRecord)] = []
        var skipped = 0
        var lastCycleLine: Range<Int>?
        var lastTableLines: [ArraySlice<UInt8>: Range<Int>] = [:]
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            let bytes = buffer.bindMemory(to: UInt8.self)
            var start = 0
            for index in 0...bytes.count {
                guard index == bytes.count || bytes[index] == UInt8(ascii: "\n") else { continue }
                defer { start = index + 1 }
                guard index > start else { continue }
                let line = bytes[start..<index]
                if latestCycleOnly, bytes[index - 1] == UInt8(ascii: "}") {
                    // Whole lines end with "}"; anything else is torn and parsed (and counted) below.
                    if contains(cycleMarker, in: line.prefix(80)) {
                        lastCycleLine = start..<index
                        continue
                    }
                    if contains(tableMarker, in: line.prefix(80)), let key = tableKey(line) {
                        lastTableLines[key] = start..<index
                        continue
                    }
                }
                if let record = StatusRecord.parse(line: line) {
                    records.append((start, record))
                } else {
                    skipped += 1
                }
            }
            for range in lastTableLines.values {
                if let record = StatusRecord.parse(line: bytes[range]) {
                    records.append((range.lowerBound, record))
                } else {
                    skipped += 1
                }
            }
        }
        let lastCycle = lastCycleLine.flatMap { range in
            data.withUnsafeBytes { buffer in
                StatusRecord.parse(line: buffer.bindMemory(to: UInt8.self)[range])
            }
        }
        return (records.sorted { $0.position < $1.position }.map(\.record), skipped, lastCycle)
    }

    /// The raw `table` and `region` values of a table line. Inside JSON strings every quote is escaped, so
    /// the first `"table":"` is the member itself.
    static func tableKey(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> ArraySlice<UInt8>? {
        guard let table = stringValue(after: tableField, in: line),
            let region = stringValue(after: regionField, in: line)
        else { return nil }
        return ArraySlice(Array(table) + [0] + Array(region))
    }

    static func stringValue(
        after field: [UInt8],
        in line: Slice<UnsafeBufferPointer<UInt8>>
    ) -> Slice<UnsafeBufferPointer<UInt8>>? {
        guard let start = firstIndex(of: field, in: line) else { return nil }
        var index = start + field.count
        let valueStart = index
        while index < line.endIndex {
            if line[index] == UInt8(ascii: "\\") {
                index += 2
                continue
            }
            if line[index] == UInt8(ascii: "\"") { return line[valueStart..<index] }
            index += 1
        }
        return nil
    }

    static func contains(_ needle: [UInt8], in haystack: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        firstIndex(of: needle, in: haystack) != nil
    }

    static func firstIndex(of needle: [UInt8], in haystack: Slice<UnsafeBufferPointer<UInt8>>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        let first = needle[0]
        while index <= haystack.endIndex - needle.count {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
