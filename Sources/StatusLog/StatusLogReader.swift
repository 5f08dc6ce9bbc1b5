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
    public static func read(path: String) -> (records: [StatusRecord], skippedLines: Int) {
        var records: [StatusRecord] = []
        var skipped = 0
        for file in files(path: path) {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let result = parse(data)
            records += result.records
            skipped += result.skippedLines
        }
        return (records, skipped)
    }

    /// Parses JSON Lines; lines that are not records (torn by a crash) are counted, not returned.
    public static func parse(_ data: Data) -> (records: [StatusRecord], skippedLines: Int) {
        var records: [StatusRecord] = []
        var skipped = 0
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            let bytes = buffer.bindMemory(to: UInt8.self)
            var start = 0
            for index in 0...bytes.count {
                guard index == bytes.count || bytes[index] == UInt8(ascii: "\n") else { continue }
                if index > start {
                    if let record = StatusRecord.parse(line: bytes[start..<index]) {
                        records.append(record)
                    } else {
                        skipped += 1
                    }
                }
                start = index + 1
            }
        }
        return (records, skipped)
    }
}
