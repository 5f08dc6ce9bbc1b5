import FoundationEssentials
import NIOHTTP1

/// The parsers of bodies AWS and credential endpoints send, as one public surface (for the fuzzer and tools).
public enum ResponseBodies {
    /// An error response of `status` turned into an `AWSError` (JSON, XML or text bodies).
    public static func error(operation: String, status: Int, body: [UInt8]) -> AWSError {
        AWSErrorParser.parse(operation: operation, status: status, headers: HTTPHeaders(), body: body)
    }

    /// Credentials from a container or instance-metadata endpoint's JSON.
    public static func credentials(json: String) throws(AWSError) -> AWSCredentials {
        try CredentialHTTP.credentials(fromJSON: json, source: "fuzz")
    }

    /// Credentials from an STS `…Result` XML document.
    public static func credentials(stsXML: String) throws(AWSError) -> AWSCredentials {
        try CredentialHTTP.credentials(fromSTS: stsXML, source: "fuzz")
    }
}
