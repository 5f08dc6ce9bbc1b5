import Foundation
import Testing
import UTCTime

@Suite("UTC times")
struct UTCTimeTests {
    @Test("formats like RFC 3339 in UTC, with milliseconds or without")
    func format() {
        let date = Date(timeIntervalSince1970: 1_795_926_549.123_9)
        #expect(UTCTime.format(date) == "2026-11-29T04:29:09.123Z")
        #expect(UTCTime.format(date, fraction: false) == "2026-11-29T04:29:09Z")
        #expect(UTCTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(UTCTime.format(Date(timeIntervalSince1970: 951_782_400)) == "2000-02-29T00:00:00.000Z")
        #expect(UTCTime.basic(date) == "20261129T042909Z")
    }

    @Test("parses what it formats, offsets and any fraction, and agrees with ISO8601DateFormatter")
    func parse() throws {
        let reference = ISO8601DateFormatter()
        reference.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        for seconds in stride(from: 0.0, to: 2_000_000_000, by: 123_456_789.25) {
            let date = Date(timeIntervalSince1970: seconds)
            let text = UTCTime.format(date)
            #expect(try #require(UTCTime.parse(text)).timeIntervalSince1970 == seconds)
            #expect(reference.string(from: date) == text)
        }
        #expect(UTCTime.parse("2026-11-29T04:29:09Z")?.timeIntervalSince1970 == 1_795_926_549)
        #expect(UTCTime.parse("2026-11-29T05:29:09+01:00")?.timeIntervalSince1970 == 1_795_926_549)
        #expect(UTCTime.parse("2026-11-29T04:29:09.5Z")?.timeIntervalSince1970 == 1_795_926_549.5)
    }

    @Test(
        "refuses anything else",
        arguments: [
            "", "2026-11-29", "2026-11-29T04:29:09", "2026-13-29T04:29:09Z", "2026-11-29T24:29:09Z",
            "2026-11-29T04:29:09.Z", "2026-11-29T04:29:09Zjunk", "2026-11-29 04:29:09Z", "２０２６-11-29T04:29:09Z",
            "2026-11-29T04:29:09+0100",
        ]
    )
    func refuses(text: String) {
        #expect(UTCTime.parse(text) == nil)
    }
}
