import FoundationEssentials
import Glibc
import SystemSupport

/// An exclusive `flock` on `<cache>.lock`: only one process writes the mirror. The kernel drops the lock
/// when the holder dies, so a crashed worker never leaves a stale lock of ours behind.
struct CacheLock {
    let descriptor: Int32

    struct LockError: Error, CustomStringConvertible {
        var description: String
    }

    static func acquire(for cacheDirectory: String) throws -> CacheLock {
        let parent = Paths.parent(cacheDirectory)
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let descriptor: Int32
        switch FileOwnership.openOwned("\(cacheDirectory).lock", flags: O_RDWR | O_CREAT, mode: 0o600) {
        case .success(let opened): descriptor = opened
        case .failure(let error): throw LockError(description: error.description)
        }
        // Blocks while another worker holds it; the parent's deadline bounds the wait.
        guard flock(descriptor, LOCK_EX) == 0 else {
            close(descriptor)
            throw LockError(description: String(cString: strerror(errno)))
        }
        return CacheLock(descriptor: descriptor)
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// libgit2's own `*.lock` files left by a killed worker; safe to remove while we hold the cache lock.
    static func removeStaleGitLocks(in cacheDirectory: String) {
        let manager = FileManager.default
        var pending = [""]
        while let relative = pending.popLast() {
            let folder = Paths.join(cacheDirectory, relative)
            guard let names = try? manager.contentsOfDirectory(atPath: folder) else { continue }
            for name in names {
                let child = relative.isEmpty ? name : "\(relative)/\(name)"
                // The object store holds no lock files of interest and most of the entries.
                if child == "objects" { continue }
                let type =
                    (try? manager.attributesOfItem(atPath: Paths.join(cacheDirectory, child)))?[.type]
                    as? FileAttributeType
                if type == .typeDirectory {
                    pending.append(child)
                } else if name.hasSuffix(".lock") {
                    try? manager.removeItem(atPath: Paths.join(cacheDirectory, child))
                }
            }
        }
    }
}
