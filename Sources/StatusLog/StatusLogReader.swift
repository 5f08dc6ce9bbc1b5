public import Foundation

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

    static func parse(
        _ data: Data,
        latestCycleOnly: Bool
    ) -> (records: [StatusRecord], skippedLines: Int, lastCycle: StatusRecord?) {
        var records: [StatusRecord] = []
        var skipped = 0
        var lastCycleLine: Range<Int>?
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            let bytes = buffer.bindMemory(to: UInt8.self)
            var start = 0
            for index in 0...bytes.count {
                guard index == bytes.count || bytes[index] == UInt8(ascii: "\n") else { continue }
                defer { start = index + 1 }
                guard index > start else { continue }
                let line = bytes[start..<index]
                if latestCycleOnly, isCycleLine(line) {
                    // Whole lines end with "}"; a torn one is counted and skipped like any other.
                    if bytes[index - 1] == UInt8(ascii: "}") {
                        lastCycleLine = start..<index
                    } else {
                        skipped += 1
                    }
                    continue
                }
                if let record = StatusRecord.parse(line: line) {
                    records.append(record)
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
        return (records, skipped, lastCycle)
    }

    /// Whether the first 80 bytes of a line name the cycle kind (the writer puts `kind` third).
    static func isCycleLine(_ line: Slice<UnsafeBufferPointer<UInt8>>) -> Bool {
        let head = line.prefix(80)
        guard head.count >= cycleMarker.count else { return false }
        var index = head.startIndex
        while index <= head.endIndex - cycleMarker.count {
            if head[index] == cycleMarker[0], head[index..<index + cycleMarker.count].elementsEqual(cycleMarker) {
                return true
            }
            index += 1
        }
        return false
    }
}
