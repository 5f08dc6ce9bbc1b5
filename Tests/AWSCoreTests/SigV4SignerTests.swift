import AWSCore
import Foundation
import Testing

@Suite("SigV4 signer")
struct SigV4SignerTests {
    struct Vector: Decodable {
        var name: String
        var access_key_id: String
        var secret_access_key: String
        var session_token: String?
        var region: String
        var service: String
        var timestamp: String
        var host: String
        var request_headers_before_signing: [String: String]
        var body: String
        var canonical_request: String
        var string_to_sign: String
        var kSigning: String
        var signature: String
        var authorization: String
        var final_headers: [String: String]
    }

    struct File: Decodable {
        var vectors: [Vector]
    }

    static let vectors: [Vector] = {
        let url = Bundle.module.url(forResource: "sigv4-vectors", withExtension: "json", subdirectory: "Resources")!
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).vectors
    }()

    @Test("reproduces botocore's vectors byte for byte", arguments: vectors.map(\.name))
    func vector(name: String) throws {
        let vector = try #require(Self.vectors.first { $0.name == name })
        let signer = SigV4Signer(region: vector.region, service: vector.service)
        let date = try #require(ISO8601DateFormatter().date(from: vector.timestamp))
        let headers = vector.request_headers_before_signing.sorted { $0.key < $1.key }.map {
            (name: $0.key, value: $0.value)
        }
        let signature = signer.sign(
            host: vector.host,
            headers: headers,
            body: Array(vector.body.utf8),
            credentials: AWSCredentials(
                accessKeyID: vector.access_key_id,
                secretAccessKey: vector.secret_access_key,
                sessionToken: vector.session_token,
                source: "test"
            ),
            date: date
        )
        #expect(signature.canonicalRequest == vector.canonical_request)
        #expect(signature.stringToSign == vector.string_to_sign)
        #expect(signature.signature == vector.signature)
        #expect(signature.authorization == vector.authorization)
        let dateStamp = String(vector.timestamp.prefix(10).replacingOccurrences(of: "-", with: ""))
        let key = SigV4Signer.signingKey(
            secret: vector.secret_access_key,
            dateStamp: dateStamp,
            region: vector.region,
            service: vector.service
        )
        #expect(SigV4Signer.hex(key) == vector.kSigning)
        let sent = Dictionary(signature.headers.map { ($0.name, $0.value) }) { first, _ in first }
        #expect(sent == vector.final_headers)
    }

    @Test("there are four vectors")
    func allVectors() {
        #expect(Self.vectors.count == 4)
    }

    @Test("credentials never print their secret or token")
    func redaction() {
        let credentials = AWSCredentials(
            accessKeyID: "AKIDEXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG",
            sessionToken: "FwoGZXIvYXdzEXAMPLE",
            source: "environment"
        )
        let text = "\(credentials) \(String(reflecting: credentials.description))"
        #expect(!text.contains("wJalrXUtnFEMI"))
        #expect(!text.contains("FwoGZXIvYXdzEXAMPLE"))
        #expect(text.contains("AKIDEXAMPLE from environment"))
    }
}
