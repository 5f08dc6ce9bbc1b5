import DynamoDBControl
import Testing

@testable import Reconcile

@Suite("drift sweep window")
struct DriftSweepTests {
    @Test("each cycle reads the oldest share of tables, and every table within the interval")
    func rollingWindow() {
        let now = ContinuousClock.now
        var cache = ObservationCache()
        let keys = (0..<100).map { "us-east-1/t\($0)" }
        for (offset, key) in keys.enumerated() {
            cache.extras[key] = TableExtras(
                timeToLive: .init(TimeToLiveStatus: "DISABLED", AttributeName: nil),
                backups: .init(),
                tags: [],
                readAt: now - .seconds(Double(offset))
            )
        }
        cache.lastObservation = now - .seconds(30)
        // 30 s of a 600 s sweep: 5 % of the tables, the oldest ones.
        let chosen = cache.sweep(candidates: keys, interval: .seconds(600), now: now)
        #expect(chosen == Set(keys.suffix(5)))
        // Tables not read for the whole interval are always read, however short the cycle.
        cache.lastObservation = now - .milliseconds(10)
        for key in keys.prefix(12) { cache.extras[key]?.readAt = now - .seconds(700) }
        #expect(cache.sweep(candidates: keys, interval: .seconds(600), now: now) == Set(keys.prefix(12)))
        // Tables never read are not the sweep's business (they are read at once).
        #expect(cache.sweep(candidates: ["us-east-1/new"], interval: .seconds(600), now: now).isEmpty)
    }
}
