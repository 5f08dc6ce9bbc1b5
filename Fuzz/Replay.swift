#if !FUZZING
import Glibc

/// Runs files through a fuzz target once each: the regression check for what the fuzzer found.
@main
struct Replay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        guard let name = arguments.first, let target = targets[name] else {
            print("usage: tablekeeper-fuzz TARGET FILE...  (targets: \(targets.keys.sorted().joined(separator: ", ")))")
            exit(2)
        }
        var count = 0
        for path in arguments.dropFirst() {
            guard let handle = fopen(path, "rb") else {
                print("cannot read \(path)")
                exit(1)
            }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 65536)
            while case let read = fread(&buffer, 1, buffer.count, handle), read > 0 { bytes += buffer[0..<read] }
            fclose(handle)
            target(bytes)
            count += 1
        }
        print("\(name): \(count) inputs ran clean")
    }
}
#endif
