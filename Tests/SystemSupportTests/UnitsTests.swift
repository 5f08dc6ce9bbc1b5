import SystemSupport
import Testing

@Suite("hex and durations")
struct UnitsTests {
    @Test("hex round-trips bytes in either case; odd lengths and other characters are refused")
    func hex() {
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff]) == "000fa5ff")
        #expect(Hex.encode([0xab], uppercase: true) == "AB")
        #expect(Hex.decode("000FA5ff") == [0x00, 0x0f, 0xa5, 0xff])
        #expect(Hex.decode("abc") == nil)
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("") == [])
    }

    @Test("durations in whole milliseconds and nanoseconds")
    func durations() {
        #expect(Duration.milliseconds(1500).inMilliseconds == 1500)
        #expect(Duration.microseconds(2999).inMilliseconds == 2)
        #expect(Duration.seconds(3).inNanoseconds == 3_000_000_000)
        #expect(Duration.nanoseconds(7).inNanoseconds == 7)
    }
}
