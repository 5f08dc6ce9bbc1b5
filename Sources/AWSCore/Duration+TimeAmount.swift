import NIOCore
import SystemSupport

extension Duration {
    /// The same span as NIO's `TimeAmount`, sub-second parts included.
    var timeAmount: TimeAmount {
        .nanoseconds(inNanoseconds)
    }
}
