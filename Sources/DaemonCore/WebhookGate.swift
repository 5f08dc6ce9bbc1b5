import Crypto
import Synchronization
import SystemSupport

/// Decides what a valid webhook delivery does: a delivery seen in the last 10 minutes (by its delivery id, or
/// the hash of its body) is acknowledged and ignored, and the cycles webhooks start are at least 10 s apart
/// (a delivery inside that window starts one cycle when it ends). So a replayed or flooded webhook costs at
/// most one cycle per 10 s, never one per request.
package final class WebhookGate: Sendable {
    /// What to do with a delivery.
    package enum Verdict: Equatable {
        /// Start a cycle now.
        case now
        /// A cycle starts when the spacing allows, in this long.
        case later(Duration)
        /// A cycle is already queued for the end of the spacing.
        case alreadyQueued
        /// The same delivery was seen within the replay window.
        case replay
    }

    static let spacing: Duration = .seconds(10)
    static let replayWindow: Duration = .seconds(600)
    /// Most deliveries remembered (the oldest are forgotten first).
    static let remembered = 4096

    private struct State {
        var seen: [String: ContinuousClock.Instant] = [:]
        var order: [String] = []
        var lastCycle: ContinuousClock.Instant?
        var queued = false
    }

    private let state = Mutex(State())

    /// A gate that has seen nothing.
    package init() {}

    /// The keys of a delivery: the SHA-256 of its body (signed), and GitHub's or Gitea's delivery id when given
    /// (not signed, so it can only add a match, never avoid one).
    package static func keys(headers: [String: String], body: [UInt8]) -> [String] {
        var keys = ["sha256:" + Hex.encode(SHA256.hash(data: body))]
        if let id = headers["x-github-delivery"] ?? headers["x-gitea-delivery"], !id.isEmpty, id.count <= 128 {
            keys.append("id:" + id)
        }
        return keys
    }

    /// The verdict for a delivery arriving `now`.
    package func admit(keys: [String], now: ContinuousClock.Instant) -> Verdict {
        state.withLock { state in
            while let first = state.order.first,
                state.order.count > Self.remembered || (state.seen[first].map { now - $0 > Self.replayWindow } ?? true)
            {
                state.order.removeFirst()
                state.seen[first] = nil
            }
            if keys.contains(where: { key in state.seen[key].map { now - $0 <= Self.replayWindow } ?? false }) {
                return .replay
            }
            for key in keys {
                state.seen[key] = now
                state.order.append(key)
            }
            guard let last = state.lastCycle, now - last < Self.spacing else {
                state.lastCycle = now
                return .now
            }
            if state.queued { return .alreadyQueued }
            state.queued = true
            return .later(last + Self.spacing - now)
        }
    }

    /// The queued cycle started (at the end of the spacing).
    package func queuedCycleStarted(at now: ContinuousClock.Instant) {
        state.withLock { state in
            state.queued = false
            state.lastCycle = now
        }
    }
}
