import NIOHTTP1
import Testing

@testable import AWSCore

@Suite("AWS error bodies and forms")
struct AWSErrorParserTests {
    func parse(_ body: String, status: Int = 400, headers: HTTPHeaders = [:]) -> AWSError {
        AWSErrorParser.parse(operation: "DescribeTable", status: status, headers: headers, body: Array(body.utf8))
    }

    @Test("JSON bodies: namespaces stripped, message or Message, fields of another type read as absent")
    func json() {
        let notFound = parse(
            #"{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found"}"#
        )
        #expect(notFound.code == "ResourceNotFoundException")
        #expect(notFound.message == "Requested resource not found")
        #expect(notFound.kind == .notFound)
        #expect(parse(#"{"__type":"ThrottlingException","Message":"Rate exceeded"}"#).message == "Rate exceeded")
        let odd = parse(#"{"__type":"ValidationException","message":42}"#)
        #expect(odd.code == "ValidationException")
        #expect(odd.message == "")
    }

    @Test("XML, text and header fallbacks")
    func fallbacks() {
        let xml = parse("<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>")
        #expect(xml.code == "AccessDenied")
        #expect(xml.message == "no")
        let text = parse("Service Unavailable\nmore", status: 503)
        #expect(text.code == "HTTP 503")
        #expect(text.message == "Service Unavailable")
        let header = parse("[]", headers: ["X-Amzn-ErrorType": "UnrecognizedClientException:http://internal"])
        #expect(header.code == "UnrecognizedClientException")
    }

    @Test("form values are percent-encoded byte by byte, letters, digits and -._~ kept")
    func form() {
        #expect(
            CredentialHTTP.form([("RoleSessionName", "ops bot/é"), ("Version", "2011-06-15")])
                == "RoleSessionName=ops%20bot%2F%C3%A9&Version=2011-06-15"
        )
        #expect(CredentialHTTP.percentEncoded("a-Z_9.~+=&") == "a-Z_9.~%2B%3D%26")
    }
}
