import Glibc

/// Reading and writing whole files and standard streams with plain descriptors.
public enum FileIO {
    /// The first `limit` bytes of a file (all of it when nil), or nil when it cannot be opened or read.
    public static func read(_ path: String, limit: Int? = nil) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while limit.map({ result.count < $0 }) ?? true {
            let wanted = min(buffer.count, limit.map { $0 - result.count } ?? buffer.count)
            let count = Glibc.read(descriptor, &buffer, wanted)
            if count > 0 {
                result += buffer[0..<count]
            } else if count < 0, errno == EINTR {
                continue
            } else if count < 0 {
                return nil
            } else {
                break
            }
        }
        return result
    }

    /// Reads a descriptor (standard input, say) to its end.
    public static func readToEnd(descriptor: Int32) -> [UInt8] {
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            if count > 0 {
                result += buffer[0..<count]
            } else if count < 0, errno == EINTR {
                continue
            } else {
                return result
            }
        }
    }

    /// Writes all of `bytes` to a descriptor; false when a write failed.
    @discardableResult
    public static func write(_ bytes: some Collection<UInt8>, to descriptor: Int32) -> Bool {
        let bytes = Array(bytes)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                offset += written
            } else if written < 0, errno == EINTR {
                continue
            } else {
                return false
            }
        }
        return true
    }

    /// Writes text to standard output.
    public static func standardOutput(_ text: String) {
        write(Array(text.utf8), to: STDOUT_FILENO)
    }

    /// Writes text to standard error.
    public static func standardError(_ text: String) {
        write(Array(text.utf8), to: STDERR_FILENO)
    }
}
