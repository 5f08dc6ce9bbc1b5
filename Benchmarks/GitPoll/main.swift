// Git source figures: cold read of a large tree, a read after a one-file commit, a no-op poll, and the parent's
// RSS over many polls. Usage: git-poll TABLEKEEPER_BINARY WORK_DIR [MANIFESTS] [POLLS]
import Foundation
import GitSource
import Logging

func run(_ arguments: [String], in folder: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/git")
    process.arguments =
        ["-c", "user.name=Bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false"]
        + arguments
    process.currentDirectoryURL = URL(fileURLWithPath: folder)
    process.standardOutput = FileHandle.nullDevice
    try! process.run()
    process.waitUntilExit()
}

func residentKiB(_ pid: String = "self") -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
}

/// The largest RSS among this process's children (the kept git workers).
func workersKiB() -> Int {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    let children = tasks.flatMap { task in
        ((try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8)) ?? "").split(separator: " ")
    }
    return children.map { residentKiB(String($0)) }.max() ?? 0
}

func milliseconds(_ body: () async -> Void) async -> Double {
    let start = ContinuousClock.now
    await body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}

let arguments = CommandLine.arguments
let binary = arguments[1]
let work = arguments[2]
let count = arguments.count > 3 ? Int(arguments[3]) ?? 10_000 : 10_000
let polls = arguments.count > 4 ? Int(arguments[4]) ?? 1000 : 1000
let tree = "\(work)/work"
try? FileManager.default.removeItem(atPath: work)
try! FileManager.default.createDirectory(atPath: tree, withIntermediateDirectories: true)
run(["init", "-q", "-b", "main", tree], in: work)
for index in 0..<count {
    let folder = "\(tree)/manifests/team-\(index % 100)"
    if index < 100 { try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
    let text =
        #"{"tableName": "table-\#(index)", "partitionKey": {"name": "id", "type": "S"}, "tags": {"n": "\#(index)"}}"#
    try! text.write(toFile: "\(folder)/t\(index).json", atomically: false, encoding: .utf8)
}
run(["add", "-A"], in: tree)
run(["commit", "-q", "-m", "manifests"], in: tree)
run(["init", "-q", "--bare", "-b", "main", "\(work)/origin.git"], in: work)
run(["push", "-q", "\(work)/origin.git", "main"], in: tree)

let source = GitSource(
    configuration: GitSourceConfiguration(url: "file://\(work)/origin.git", cacheDirectory: "\(work)/cache/repo"),
    workerExecutable: binary,
    logger: Logger(label: "bench")
)
let clone = await milliseconds { _ = await source.poll() }
// A second mirror, already cloned, so the cold read measures reading 10k blobs, not the clone.
let cold = GitSource(
    configuration: GitSourceConfiguration(url: "file://\(work)/origin.git", cacheDirectory: "\(work)/cache/repo"),
    workerExecutable: binary,
    logger: Logger(label: "bench")
)
let coldRead = await milliseconds { _ = await cold.poll() }
// One-file commits, each pushed then polled; the median of nine.
var oneFileRuns: [Double] = []
for round in 0..<9 {
    try! #"{"tableName": "table-0", "partitionKey": {"name": "id", "type": "N"}, "tags": {"round": "\#(round)"}}"#
        .write(toFile: "\(tree)/manifests/team-0/t0.json", atomically: false, encoding: .utf8)
    run(["commit", "-q", "-am", "one file"], in: tree)
    run(["push", "-q", "\(work)/origin.git", "main"], in: tree)
    oneFileRuns.append(await milliseconds { _ = await cold.poll() })
}
let oneFile = oneFileRuns.sorted()[oneFileRuns.count / 2]
var noOp: [Double] = []
for _ in 0..<20 { noOp.append(await milliseconds { _ = await cold.poll() }) }
func openDescriptors() -> Int {
    (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
}
let descriptorsStart = openDescriptors()
let rssStart = residentKiB()
var workerPeak = 0
for index in 0..<polls {
    _ = await cold.poll()
    if index % 100 == 50 { workerPeak = max(workerPeak, workersKiB()) }
}
let rssEnd = residentKiB()
let descriptorsEnd = openDescriptors()
noOp.sort()
print(String(format: "git source, %d manifests in 100 folders (file:// remote, a worker kept between polls):", count))
print(String(format: "  first poll (clone + read all): %.0f ms", clone))
print(String(format: "  cold read of an existing mirror (fetch + read all): %.0f ms (goal < 300 ms)", coldRead))
print(String(format: "  poll after a one-file commit: median %.1f ms over 9 commits (goal < 20 ms)", oneFile))
print(String(format: "  no-op poll: median %.1f ms (goal < 25 ms)", noOp[noOp.count / 2]))
print(String(format: "  parent RSS over %d polls: %d KiB -> %d KiB (goal: flat within 2 MB)", polls, rssStart, rssEnd))
print("  open file descriptors: \(descriptorsStart) -> \(descriptorsEnd)")
print(
    "  a kept worker process: RSS at most \(workerPeak) KiB, mostly code shared with the parent (replaced every 100 requests)"
)
