/// What the reconciler may do on its own.
public struct ReconcilePolicy: Sendable, Equatable {
    /// Apply or only report a class of change.
    public enum Mode: String, Sendable, Equatable, CaseIterable {
        case flag
        case apply
    }

    /// Encryption type or key changes; `flag` by default.
    public var encryption: Mode
    /// Safe in-place updates; `apply` by default.
    public var updates: Mode
    /// Changes that lose something (GSI removed, PITR or deletion protection off, stream off, unknown tags);
    /// `flag` by default.
    public var destructive: Mode

    /// Creates a policy; the defaults are the safe ones.
    public init(encryption: Mode = .flag, updates: Mode = .apply, destructive: Mode = .flag) {
        self.encryption = encryption
        self.updates = updates
        self.destructive = destructive
    }
}
