import AsyncHTTPClient
import FoundationEssentials
import NIOCore
import NIOHTTP1
import SystemSupport
import UTCTime

/// Small HTTP exchanges with credential endpoints (STS, container, instance metadata).
enum CredentialHTTP {
    struct Response {
        var status: Int
        var body: String
    }

    static func send(
        _ method: HTTPMethod,
        url: String,
        headers: [(String, String)] = [],
        body: String? = nil,
        timeout: Duration,
        http: HTTPClient
    ) async throws(AWSError) -> Response {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        do {
            let response = try await http.execute(
                request,
                timeout: timeout.timeAmount
            )
            let buffer = try await response.body.collect(upTo: 1 << 20)
            return Response(status: Int(response.status.code), body: String(buffer: buffer))
        } catch {
            throw AWSError.credentials(
                "\(URLComponents(string: url)?.host ?? url) did not answer: \(AWSJSONClient.describe(error))"
            )
        }
    }

    /// The text of the first `<name>…</name>` element.
    static func element(_ name: String, in xml: String) -> String? {
        AWSErrorParser.element(name, in: xml).map(unescapeXML)
    }

    static func unescapeXML(_ text: String) -> String {
        text.replacing("&lt;", with: "<").replacing("&gt;", with: ">").replacing("&quot;", with: "\"")
            .replacing("&apos;", with: "'").replacing("&amp;", with: "&")
    }

    /// `application/x-www-form-urlencoded` of parameters: every byte but ASCII letters, digits and `-._~`
    /// percent-encoded, as botocore does.
    static func form(_ parameters: [(String, String)]) -> String {
        parameters.map { name, value in "\(name)=\(percentEncoded(value))" }.joined(separator: "&")
    }

    static func percentEncoded(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + Hex.encode([byte], uppercase: true)
            }
        }
        return out
    }

    /// Credentials from the JSON that container and instance-metadata endpoints return.
    static func credentials(fromJSON body: String, source: String) throws(AWSError) -> AWSCredentials {
        guard let object = try? JSONDecoder().decode(StringMembers.self, from: Data(body.utf8)),
            let key = object["AccessKeyId"], let secret = object["SecretAccessKey"]
        else {
            throw AWSError.credentials("\(source) returned no credentials")
        }
        return AWSCredentials(
            accessKeyID: key,
            secretAccessKey: secret,
            sessionToken: object["Token"],
            expiration: object["Expiration"].flatMap(UTCTime.parse),
            source: source
        )
    }

    /// Credentials from an STS `…Result` XML document.
    static func credentials(fromSTS xml: String, source: String) throws(AWSError) -> AWSCredentials {
        guard let key = element("AccessKeyId", in: xml), let secret = element("SecretAccessKey", in: xml) else {
            let code = element("Code", in: xml) ?? "no credentials"
            let message = element("Message", in: xml) ?? ""
            throw AWSError.credentials("\(source): STS refused: \(code) \(message)")
        }
        return AWSCredentials(
            accessKeyID: key,
            secretAccessKey: secret,
            sessionToken: element("SessionToken", in: xml),
            expiration: element("Expiration", in: xml).flatMap(UTCTime.parse),
            source: source
        )
    }
}
