// The fuzz targets of Tablekeeper's parsers. Built by `scripts/fuzz` with `-sanitize=fuzzer,address` and
// `-DFUZZING`, libFuzzer calls `LLVMFuzzerTestOneInput` and `FUZZ_TARGET` picks the parser. In an ordinary build
// this is a replayer (`Replay.swift`): `tablekeeper-fuzz TARGET FILE...` runs each file through the parser once.
import AWSCore
import FoundationEssentials
import Glibc
import Manifest
import StatusLog
import TablekeeperConfig

/// The parsers, by name.
let targets: [String: @Sendable ([UInt8]) -> Void] = [
    "json": { bytes in _ = try? JSONParser.parse(bytes) },
    "manifest": { bytes in
        _ = ManifestDecoder.decode(bytes, file: "fuzz.json", defaults: ManifestDefaults(region: "us-east-1"))
    },
    "config": { bytes in _ = ConfigurationDecoder.decode(bytes, file: "config.json") },
    "status-log": { bytes in _ = StatusLogReader.parse(Data(bytes)) },
    "aws-error": { bytes in _ = ResponseBodies.error(operation: "DescribeTable", status: 400, body: bytes) },
    "aws-credentials": { bytes in
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? ResponseBodies.credentials(json: text)
        _ = try? ResponseBodies.credentials(stsXML: text)
    },
]

#if FUZZING
let chosen: @Sendable ([UInt8]) -> Void = {
    let name = getenv("FUZZ_TARGET").map { String(cString: $0) } ?? ""
    guard let target = targets[name] else {
        print("FUZZ_TARGET must be one of: \(targets.keys.sorted().joined(separator: ", "))")
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    chosen(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's entry point under this name: it hands over to libFuzzer's driver.
@_cdecl("tablekeeper_fuzz_main")
public func fuzzMain(
    _ argc: CInt,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
}
#endif
