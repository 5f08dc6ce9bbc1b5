import DaemonCore
import Testing

@Suite("webhook signature")
struct WebhookSignatureTests {
    // GitHub's documented example: secret "It's a Secret to Everybody", payload "Hello, World!".
    let secret = Array("It's a Secret to Everybody".utf8)
    let body = Array("Hello, World!".utf8)
    let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"

    @Test("GitHub's documented example verifies")
    func githubVector() {
        #expect(WebhookSignature.sign(body: body, secret: secret) == expected)
        #expect(WebhookSignature.isValid(header: expected, body: body, secret: secret))
        let upperHex = "sha256=" + expected.dropFirst("sha256=".count).uppercased()
        #expect(WebhookSignature.isValid(header: upperHex, body: body, secret: secret))
    }

    @Test(
        "wrong, truncated or malformed signatures are refused",
        arguments: [
            nil, "", "sha256=", "sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e18",
            "sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1700",
        ]
    )
    func refused(header: String?) {
        #expect(!WebhookSignature.isValid(header: header, body: body, secret: secret))
    }

    @Test("another body or secret does not verify, and an empty secret never does")
    func otherInputs() {
        #expect(!WebhookSignature.isValid(header: expected, body: Array("Hello, World?".utf8), secret: secret))
        #expect(!WebhookSignature.isValid(header: expected, body: body, secret: Array("another".utf8)))
        let empty = WebhookSignature.sign(body: body, secret: [])
        #expect(!WebhookSignature.isValid(header: empty, body: body, secret: []))
    }
}

@Suite("webhook gate")
struct WebhookGateTests {
    @Test("a delivery seen in the last 10 minutes is a replay; cycles are 10 s apart, one queued at most")
    func gate() {
        let gate = WebhookGate()
        let start = ContinuousClock.now
        #expect(gate.admit(keys: ["a"], now: start) == .now)
        #expect(gate.admit(keys: ["a"], now: start + .seconds(1)) == .replay)
        #expect(gate.admit(keys: ["b"], now: start + .seconds(2)) == .later(.seconds(8)))
        #expect(gate.admit(keys: ["c"], now: start + .seconds(3)) == .alreadyQueued)
        gate.queuedCycleStarted(at: start + .seconds(10))
        #expect(gate.admit(keys: ["d"], now: start + .seconds(21)) == .now)
        // After the replay window the same delivery counts again.
        #expect(gate.admit(keys: ["a"], now: start + .seconds(700)) == .now)
    }

    @Test("a delivery is known by its body hash and by its delivery id")
    func keys() {
        #expect(WebhookGate.keys(headers: ["x-github-delivery": "72d3162e"], body: [1]).last == "id:72d3162e")
        #expect(WebhookGate.keys(headers: ["x-gitea-delivery": "9"], body: [1]).last == "id:9")
        #expect(WebhookGate.keys(headers: [:], body: [1]).count == 1)
        // A replayed body under a new delivery id is still a replay.
        let gate = WebhookGate()
        let now = ContinuousClock.now
        #expect(gate.admit(keys: WebhookGate.keys(headers: ["x-github-delivery": "1"], body: [7]), now: now) == .now)
        #expect(
            gate.admit(keys: WebhookGate.keys(headers: ["x-github-delivery": "2"], body: [7]), now: now) == .replay
        )
        #expect(WebhookSignature.isWellFormed("sha256=" + String(repeating: "ab", count: 32)))
        #expect(!WebhookSignature.isWellFormed("sha256=zz"))
    }
}
