import Manifest
import Testing

@Suite("JSON parser")
struct JSONParserTests {
    @Test("values round-trip with order and number text kept")
    func roundTrip() throws {
        let text = #"{"b":[1,-2.5e3,true,false,null],"a":"x\"\\\n\u00e9\ud83d\ude00","c":{}}"#
        let value = try JSONParser.parse(text)
        #expect(value.compactText == #"{"b":[1,-2.5e3,true,false,null],"a":"x\"\\\né😀","c":{}}"#)
        #expect(value["a"]?.stringValue == "x\"\\\né😀")
    }

    @Test("syntax errors carry line and column")
    func syntaxError() {
        #expect(throws: JSONSyntaxError(line: 2, column: 7, message: "expected ':'")) {
            try JSONParser.parse("{\n  \"a\" 1}")
        }
    }

    @Test(
        "invalid documents are rejected",
        arguments: ["", "01", "1.", "[1,]", "{\"a\":1,}", "tru", "\"\t\"", "[] []"]
    )
    func invalid(text: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
    }
}
