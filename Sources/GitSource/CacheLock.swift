import Foundation

/// An exclusive `flock` on `<cache>.lock`: only one process writes the mirror. The kernel drops the lock
/// when the holder dies, so a crashed worker never leaves a stale lock of ours behind.
struct CacheLock {
    let descriptor: Int32

    struct LockError: Error, CustomStringConvertible {
        var description: String
    }

    static func acquire(for cacheDirectory: String) throws -> CacheLock {
        let parent = (cacheDirectory as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        let descriptor = open("\(cacheDirectory).lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LockError(description: String(cString: strerror(errno))) }
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
        guard let enumerator = manager.enumerator(atPath: cacheDirectory) else { return }
        while let relative = enumerator.nextObject() as? String {
            if relative.hasPrefix("objects/") {
                enumerator.skipDescendants()
                continue
            }
            if relative.hasSuffix(".lock") {
                try? manager.removeItem(atPath: (cacheDirectory as NSString).appendingPathComponent(relative))
            }
        }
    }
}
