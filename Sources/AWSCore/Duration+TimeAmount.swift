import NIOCore

extension Duration {
    /// The same span as NIO's `TimeAmount`, sub-second parts included.
    var timeAmount: TimeAmount {
        .nanoseconds(components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000)
    }
}
