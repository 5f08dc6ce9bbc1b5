import NIOCore
import Synchronization

/// The endpoint's open connections, bounded: at the limit a new connection takes the place of the oldest one
/// that has not sent a whole request head, so idle or slow clients can never keep a probe of `/healthz` out.
final class ConnectionTable: Sendable {
    /// Most connections open at once.
    static let maximum = 32

    private struct Entry {
        var channel: any Channel
        var id: ObjectIdentifier
        var headReceived = false
    }

    private let entries = Mutex<[Entry]>([])

    /// Admits a new connection: true when it may stay. A connection made to room for it is closed.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let (admitted, evicted): (Bool, (any Channel)?) = entries.withLock { entries in
            var evicted: (any Channel)?
            if entries.count >= Self.maximum {
                guard let oldestIdle = entries.firstIndex(where: { !$0.headReceived }) else { return (false, nil) }
                evicted = entries.remove(at: oldestIdle).channel
            }
            entries.append(Entry(channel: channel, id: id))
            return (true, evicted)
        }
        evicted?.close(promise: nil)
        if admitted {
            channel.closeFuture.whenComplete { [self] _ in
                entries.withLock { $0.removeAll { $0.id == id } }
            }
        }
        return admitted
    }

    /// Marks a connection as having sent a whole request head (it is answered at once from then on).
    func headReceived(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.id == id }) { entries[index].headReceived = true }
        }
    }

    /// How many connections are open.
    var count: Int { entries.withLock { $0.count } }
}
