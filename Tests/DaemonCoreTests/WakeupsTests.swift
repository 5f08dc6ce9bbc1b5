import DaemonCore
import Testing

@Suite("wake-ups")
struct WakeupsTests {
    @Test("a wait with nothing posted ends with the timer")
    func timer() async {
        let wakeups = Wakeups()
        #expect(await wakeups.next(timeout: .milliseconds(20)) == [.timer])
    }

    @Test("reasons posted between waits are coalesced and handed over at once")
    func coalesced() async {
        let wakeups = Wakeups()
        for _ in 0..<10 { wakeups.post(.webhook) }
        wakeups.post(.reload)
        #expect(await wakeups.next(timeout: .seconds(60)) == [.webhook, .reload])
        #expect(await wakeups.next(timeout: .milliseconds(10)) == [.timer])
    }

    @Test("a post wakes a waiting loop before its timeout")
    func wakesWaiter() async {
        let wakeups = Wakeups()
        async let reasons = wakeups.next(timeout: .seconds(300))
        try? await Task.sleep(for: .milliseconds(50))
        wakeups.post(.webhook)
        // Woken by the post (the reason says so), not by the timer.
        #expect(await reasons == [.webhook])
    }

    @Test("a late timer does not wake the next wait")
    func lateTimer() async {
        let wakeups = Wakeups()
        async let first = wakeups.next(timeout: .milliseconds(30))
        wakeups.post(.webhook)
        _ = await first
        try? await Task.sleep(for: .milliseconds(60))
        let started = ContinuousClock.now
        #expect(await wakeups.next(timeout: .milliseconds(200)) == [.timer])
        #expect(ContinuousClock.now - started >= .milliseconds(150))
    }

    @Test("cancelling the waiting task counts as a shutdown")
    func cancelled() async {
        let wakeups = Wakeups()
        let task = Task { await wakeups.next(timeout: .seconds(60)) }
        try? await Task.sleep(for: .milliseconds(20))
        task.cancel()
        #expect(await task.value.contains(.shutdown))
    }
}
