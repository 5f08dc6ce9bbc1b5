import NIOCore
import Synchronization

/// The endpoint's open connections, bounded: at the limit a new connection takes the place of the oldest one
/// that has not sent a whole request head (or else the oldest still sending a body), so idle or slow clients can
/// never keep a probe of `/healthz` out.
final class ConnectionTable: Sendable {
    /// Most connections open at once.
    static let maximum = 32

    private struct Entry {
        var channel: any Channel
        var id: ObjectIdentifier
        var headReceived = false
        var answering = false
    }

    private let entries = Mutex<[Entry]>([])

    /// Admits a new connection: true when it may stay. A connection made to room for it is closed.
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let (admitted, evicted): (Bool, (any Channel)?) = entries.withLock { entries in
            var evicted: (any Channel)?
            if entries.count >= Self.maximum {
                // The oldest without a head, else the oldest still sending its body: a new connection always
                // gets in, and only a request being answered is never cut.
                guard
                    let oldest = entries.firstIndex(where: { !$0.headReceived })
                        ?? entries.firstIndex(where: { !$0.answering })
                else { return (false, nil) }
                evicted = entries.remove(at: oldest).channel
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

    /// Marks a connection as being answered: it is never evicted (and closes once the answer is written).
    func answering(_ channel: any Channel) {
        let id = ObjectIdentifier(channel)
        entries.withLock { entries in
            if let index = entries.firstIndex(where: { $0.id == id }) { entries[index].answering = true }
        }
    }
}
