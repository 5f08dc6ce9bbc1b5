import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
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
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }

    /// `application/x-www-form-urlencoded` of parameters.
    static func form(_ parameters: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return parameters.map { name, value in
            "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value)"
        }.joined(separator: "&")
    }

    /// Credentials from the JSON that container and instance-metadata endpoints return.
    static func credentials(fromJSON body: String, source: String) throws(AWSError) -> AWSCredentials {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any],
            let key = object["AccessKeyId"] as? String, let secret = object["SecretAccessKey"] as? String
        else {
            throw AWSError.credentials("\(source) returned no credentials")
        }
        return AWSCredentials(
            accessKeyID: key,
            secretAccessKey: secret,
            sessionToken: object["Token"] as? String,
            expiration: (object["Expiration"] as? String).flatMap(UTCTime.parse),
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
