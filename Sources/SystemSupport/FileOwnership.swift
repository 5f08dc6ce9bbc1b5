import Glibc

/// Files the daemon writes (status log, git cache, lock files) must be its own: never a symbolic link someone
/// planted, never another user's. Running as root over the service user's files would leave root-owned files
/// behind that the service cannot write any more.
public enum FileOwnership {
    /// Why `path` may not be written by this process, nil when it may (or does not exist yet).
    public static func problem(_ path: String, setting: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        if info.st_mode & S_IFMT == S_IFLNK {
            return "\(setting) \(path) is a symbolic link; refused (give the real path)"
        }
        let me = geteuid()
        guard info.st_uid != me else { return nil }
        if me == 0 {
            return "\(setting) \(path) belongs to uid \(info.st_uid), and running as root would leave files that "
                + "user cannot write: run as that user (runuser -u USER -- tablekeeper ...), or as the service runs "
                + "(systemd-run --pty -p DynamicUser=yes -p User=tablekeeper -p StateDirectory=tablekeeper "
                + "-p LogsDirectory=tablekeeper tablekeeper ...)"
        }
        return "\(setting) \(path) belongs to uid \(info.st_uid), not to this user (uid \(me)); run as its owner"
    }

    /// Opens a file this process must own: never through a symbolic link (`O_NOFOLLOW`), and refused when it
    /// belongs to another user. Returns the descriptor, or why not.
    public static func openOwned(_ path: String, flags: Int32, mode: UInt32) -> Result<Int32, OpenError> {
        let descriptor = open(path, flags | O_NOFOLLOW | O_CLOEXEC, mode_t(mode))
        guard descriptor >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            return .failure(OpenError(description: "open \(path): \(reason)"))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_uid == geteuid() else {
            close(descriptor)
            return .failure(
                OpenError(description: "\(path) belongs to uid \(info.st_uid), not to this user (uid \(geteuid()))")
            )
        }
        return .success(descriptor)
    }

    /// Why a file could not be opened.
    public struct OpenError: Error, CustomStringConvertible {
        /// One line.
        public var description: String

        /// Creates an error.
        public init(description: String) {
            self.description = description
        }
    }
}
