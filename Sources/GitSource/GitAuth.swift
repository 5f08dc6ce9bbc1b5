/// How the worker authenticates to the remote. Secrets stay in files; only paths travel in requests.
public struct GitAuth: Sendable, Codable, Equatable {
    /// The user name for ssh:// and for https:// with a token.
    public var username: String
    /// A private key file (ed25519 or ECDSA) for ssh:// remotes.
    public var sshKeyFile: String?
    /// A known_hosts file the ssh host key must be in.
    public var sshKnownHostsFile: String?
    /// A pinned host key fingerprint, `SHA256:` followed by unpadded base64, as `ssh-keygen -lf` prints it.
    public var sshHostKeyFingerprint: String?
    /// A file holding an https token (used as the password).
    public var tokenFile: String?
    /// A file holding an https password.
    public var passwordFile: String?

    /// Creates an auth configuration; the default is no credentials.
    public init(
        username: String = "git",
        sshKeyFile: String? = nil,
        sshKnownHostsFile: String? = nil,
        sshHostKeyFingerprint: String? = nil,
        tokenFile: String? = nil,
        passwordFile: String? = nil
    ) {
        self.username = username
        self.sshKeyFile = sshKeyFile
        self.sshKnownHostsFile = sshKnownHostsFile
        self.sshHostKeyFingerprint = sshHostKeyFingerprint
        self.tokenFile = tokenFile
        self.passwordFile = passwordFile
    }
}
