/// The environment of the helper processes Tablekeeper starts (the git worker, ssh-keygen): an allowlist, so
/// they never see AWS credentials, `NOTIFY_SOCKET` or anything else of the daemon's that they do not need.
public enum ChildEnvironment {
    /// The variables passed on when set.
    public static let allowed = ["PATH", "HOME", "LANG", "TZ", "SSL_CERT_FILE", "SSL_CERT_DIR"]

    /// `environment` reduced to the allowlist, plus `extra`.
    public static func filtered(
        _ environment: [String: String],
        adding extra: [String: String] = [:]
    ) -> [String: String] {
        var kept = environment.filter { allowed.contains($0.key) }
        kept.merge(extra) { $1 }
        return kept
    }
}
