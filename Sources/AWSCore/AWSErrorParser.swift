import FoundationEssentials
import NIOHTTP1

/// Parses error responses as botocore does: JSON `__type` and `message`/`Message`, namespaces stripped,
/// `X-Amzn-ErrorType` as a fallback, and XML or text bodies from emulators and proxies.
enum AWSErrorParser {
    static func parse(operation: String, status: Int, headers: HTTPHeaders, body: [UInt8]) -> AWSError {
        var code: String?
        var message = ""
        if let json = try? JSONDecoder().decode(StringMembers.self, from: Data(body)) {
            code = json["__type"] ?? json["code"]
            message = json["message"] ?? json["Message"] ?? ""
        } else {
            let text = String(decoding: body.prefix(4096), as: UTF8.self)
            if let xmlCode = element("Code", in: text) {
                code = xmlCode
                message = element("Message", in: text) ?? ""
            } else {
                message = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
            }
        }
        if code == nil, let header = headers.first(name: "X-Amzn-ErrorType") {
            code = header
        }
        let normalized = normalize(code ?? "HTTP \(status)")
        return AWSError(
            operation: operation,
            code: normalized,
            message: message,
            httpStatus: status,
            kind: AWSError.classify(code: normalized, message: message, httpStatus: status),
            requestID: headers.first(name: "x-amzn-RequestId")
        )
    }

    /// `com.amazonaws.dynamodb.v20120810#ResourceNotFoundException` → `ResourceNotFoundException`;
    /// `Code:extra` → `Code`.
    static func normalize(_ raw: String) -> String {
        var code = raw
        if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
        if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
        return code
    }

    static func element(_ name: String, in text: String) -> String? {
        guard let start = text.firstRange(of: "<\(name)>"),
            let end = text[start.upperBound...].firstRange(of: "</\(name)>")
        else { return nil }
        return String(text[start.upperBound..<end.lowerBound])
    }
}

/// The string members of a JSON object, for bodies read leniently: a member of another type is left out, never a
/// failure (as `JSONSerialization` and `as? String` behaved).
struct StringMembers: Decodable {
    var values: [String: String]

    subscript(key: String) -> String? { values[key] }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var values: [String: String] = [:]
        for key in container.allKeys {
            if let value = try? container.decode(String.self, forKey: key) { values[key.stringValue] = value }
        }
        self.values = values
    }
}
