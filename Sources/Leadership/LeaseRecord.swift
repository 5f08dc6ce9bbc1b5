import DynamoDBControl

/// The lease item: who holds the lease, its current record version, and the fence number.
public struct LeaseRecord: Sendable, Equatable {
    /// The lease's name (the partition key).
    public var name: String
    /// The holder's identity: hostname, pid and a random suffix.
    public var owner: String
    /// A random value the holder replaces at every renewal; a standby times how long it stays the same.
    public var version: String
    /// Raised at every change of holder: records carry it, so a deposed leader's work is told apart.
    public var fence: Int
    /// The holder's lease duration in milliseconds (relative: no clock is compared with another).
    public var leaseDurationMs: Int
    /// Whether the holder let the lease go (a graceful stop): the next contender takes it at once.
    public var released: Bool
    /// When the holder acquired it, by its own wall clock (shown by `status`, never used for timing).
    public var since: String

    /// A record.
    public init(
        name: String,
        owner: String,
        version: String,
        fence: Int,
        leaseDurationMs: Int,
        released: Bool = false,
        since: String
    ) {
        self.name = name
        self.owner = owner
        self.version = version
        self.fence = fence
        self.leaseDurationMs = leaseDurationMs
        self.released = released
        self.since = since
    }

    /// The attribute names.
    enum Attribute {
        static let name = "name"
        static let owner = "owner"
        static let version = "recordVersion"
        static let fence = "fence"
        static let leaseDuration = "leaseDurationMs"
        static let released = "released"
        static let since = "since"
    }

    /// The record as an item.
    var item: Item {
        [
            Attribute.name: .string(name), Attribute.owner: .string(owner), Attribute.version: .string(version),
            Attribute.fence: .number(String(fence)), Attribute.leaseDuration: .number(String(leaseDurationMs)),
            Attribute.released: .bool(released), Attribute.since: .string(since),
        ]
    }

    /// A record from an item; nil when it lacks what a lease needs (then it is treated as held, and replaced only
    /// after its version stays unchanged for a lease).
    init?(item: Item) {
        guard let name = item[Attribute.name]?.text, let owner = item[Attribute.owner]?.text,
            let version = item[Attribute.version]?.text
        else { return nil }
        self.name = name
        self.owner = owner
        self.version = version
        self.fence = item[Attribute.fence]?.integer ?? 0
        self.leaseDurationMs = item[Attribute.leaseDuration]?.integer ?? 0
        if case .bool(let released)? = item[Attribute.released] {
            self.released = released
        } else {
            self.released = false
        }
        self.since = item[Attribute.since]?.text ?? ""
    }
}
