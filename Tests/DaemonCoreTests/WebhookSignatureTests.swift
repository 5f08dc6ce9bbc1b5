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
