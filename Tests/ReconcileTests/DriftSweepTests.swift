import DynamoDBControl
import Testing

@testable import Reconcile

@Suite("drift sweep window")
struct DriftSweepTests {
    @Test("every table is read once per interval, spread evenly over the cycles, whatever their length")
    func rollingWindow() {
        let start = ContinuousClock.now
        var cache = ObservationCache()
        let keys = (0..<1000).map { "us-east-1/table-\($0)" }
        for key in keys {
            cache.extras[key] = TableExtras(
                timeToLive: .init(TimeToLiveStatus: "DISABLED", AttributeName: nil),
                backups: .init(),
                tags: [],
                readAt: start - .seconds(300)
            )
        }
        let interval = Duration.seconds(600)
        // The first observation only places the sweep.
        #expect(cache.sweep(candidates: keys, interval: interval, now: start).isEmpty)
        var counts: [String: Int] = [:]
        var perCycle: [Int] = []
        var now = start
        // 40 cycles of 15 s: one whole interval; every table once, about 25 a cycle.
        for _ in 0..<40 {
            now = now + .seconds(15)
            let chosen = cache.sweep(candidates: keys, interval: interval, now: now)
            for key in chosen {
                counts[key, default: 0] += 1
                cache.extras[key]?.readAt = now
            }
            perCycle.append(chosen.count)
        }
        #expect(counts.count == keys.count)
        #expect(counts.values.allSatisfy { $0 == 1 })
        #expect(perCycle.max() ?? 0 <= 50, "\(perCycle)")
        // A pause longer than the interval reads everything once; what was read in the last half interval is not
        // read again, however far the sweep moves.
        #expect(cache.sweep(candidates: keys, interval: interval, now: now + .seconds(700)).count == keys.count)
        for key in keys { cache.extras[key]?.readAt = now + .seconds(700) }
        #expect(cache.sweep(candidates: keys, interval: interval, now: now + .seconds(900)).isEmpty)
        // Tables never read are not the sweep's business (they are read at once).
        #expect(cache.sweep(candidates: ["us-east-1/new"], interval: interval, now: now + .seconds(710)).isEmpty)
    }
}
