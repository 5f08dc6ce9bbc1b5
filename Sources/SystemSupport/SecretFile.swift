import Glibc

/// Files that hold secrets must be readable by their owner only, as OpenSSH insists for private keys.
public enum SecretFile {
    /// Why `path` is not fit to hold a secret (group- or world-readable, or not a regular file), nil when it
    /// is fine or does not exist (a missing file is reported where it is read, with its own message).
    public static func problem(_ path: String, setting: String) -> String? {
        // systemd's credentials (LoadCredential=) are private to the unit; their mode bits may show an ACL mask.
        if path.hasPrefix("/run/credentials/") { return nil }
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let mode = info.st_mode & 0o7777
        guard info.st_mode & S_IFMT == S_IFREG else {
            return "\(setting) \(path) is not a regular file"
        }
        guard mode & 0o077 != 0 else { return nil }
        return "\(setting) \(path) is readable by group or others (mode \(String(mode, radix: 8))): "
            + "run chmod 0600 on it, or pass it with LoadCredential= in the unit"
    }
}
