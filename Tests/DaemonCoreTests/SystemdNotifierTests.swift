import DaemonCore
import Foundation
import Synchronization
import TestSupport
import Testing

@Suite("systemd notifier")
struct SystemdNotifierTests {
    @Test("messages reach a socket path and an abstract socket", arguments: ["path", "abstract"])
    func delivered(kind: String) async throws {
        let folder = TemporaryDirectory("notify")
        let address = kind == "path" ? folder.file("notify.sock") : "@tablekeeper-unit-\(UUID().uuidString)"
        let listener = try NotifyListener(address: address)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": address])
        #expect(notifier.socketPath == address)
        notifier.ready(status: "cycle 1\nat abc")
        notifier.reloading()
        notifier.stopping()
        let deadline = ContinuousClock.now + .seconds(5)
        while listener.messages.count < 3, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        let messages = listener.messages
        #expect(messages.first == "READY=1\nSTATUS=cycle 1 at abc")
        #expect(messages.dropFirst().first?.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") == true)
        #expect(messages.last == "STOPPING=1")
    }

    @Test("without NOTIFY_SOCKET nothing is sent and there is no watchdog")
    func disabled() {
        let notifier = SystemdNotifier(environment: ["WATCHDOG_USEC": "1000000"])
        #expect(notifier.socketPath == nil)
        #expect(notifier.watchdogInterval == nil)
        #expect(!notifier.notify(["READY=1"]))
    }

    @Test("the watchdog interval is half of WATCHDOG_USEC, and only for this process's pid")
    func watchdogInterval() {
        let mine = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "2000000"])
        #expect(mine.watchdogInterval == .seconds(1))
        let other = SystemdNotifier(environment: [
            "NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "2000000", "WATCHDOG_PID": "1",
        ])
        #expect(other.watchdogInterval == nil)
        let bad = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/x", "WATCHDOG_USEC": "soon"])
        #expect(bad.watchdogInterval == nil)
    }

    @Test("a receiver that never reads makes messages drop, counted, and never blocks")
    func fullQueue() throws {
        let listener = try NotifyListener(address: "@tablekeeper-full-\(UUID().uuidString)", reading: false)
        let drops = Mutex(0)
        let notifier = SystemdNotifier(
            environment: ["NOTIFY_SOCKET": listener.address],
            onDrop: { count in drops.withLock { $0 = count } }
        )
        let started = ContinuousClock.now
        let sent = (0..<200).filter { _ in notifier.notify(["WATCHDOG=1"]) }.count
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(sent < 200)
        #expect(notifier.dropped == 200 - sent)
        #expect(drops.withLock { $0 } == notifier.dropped)
    }

    @Test("a socket nobody listens on is reported, not fatal")
    func nobodyListens() {
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": "/nonexistent/notify.sock"])
        #expect(!notifier.notify(["READY=1"]))
    }
}
