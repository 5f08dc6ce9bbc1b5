/// A receiver of notifications (`notify` in the configuration).
public struct NotifyReceiver: Sendable, Equatable {
    /// How the receiver is spoken to.
    public enum Kind: String, Sendable, Equatable, CaseIterable {
        /// A JSON body signed with HMAC-SHA256 in `X-Tablekeeper-Signature-256`.
        case webhook
        /// A Slack incoming webhook: one readable line.
        case slack
    }

    /// What a receiver may be told.
    public enum Event: String, Sendable, Equatable, Hashable, CaseIterable {
        case flagged, failed, invalid, created, updated, source, leader
    }

    /// The kind.
    public var kind: Kind
    /// The webhook's URL (a Slack URL comes from `urlFile`, since it is a secret).
    public var url: String?
    /// A file holding the URL (Slack).
    public var urlFile: String?
    /// A file holding the HMAC secret (webhook).
    public var secretFile: String?
    /// The events sent.
    public var events: Set<Event>

    /// Creates a receiver.
    public init(kind: Kind, url: String? = nil, urlFile: String? = nil, secretFile: String? = nil, events: Set<Event>) {
        self.kind = kind
        self.url = url
        self.urlFile = urlFile
        self.secretFile = secretFile
        self.events = events
    }

    /// Whether a URL may receive notifications: https, or http to a loopback address only.
    public static func isAllowed(url text: String) -> Bool {
        guard let schemeEnd = text.firstRange(of: "://") else { return false }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        let rest = text[schemeEnd.upperBound...]
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") || authority.isEmpty { return false }
        if scheme == "https" { return true }
        guard scheme == "http" else { return false }
        let host: Substring =
            authority.hasPrefix("[")
            ? authority.dropFirst().prefix { $0 != "]" } : authority.prefix { $0 != ":" }
        if host == "localhost" || host == "::1" { return true }
        // An IPv4 loopback address: four numbers, the first 127 (`127.attacker.example` is a name, not one).
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127"
            && octets.allSatisfy { octet in UInt8(octet).map { _ in octet.allSatisfy(\.isNumber) } ?? false }
    }
}

/// `source.commitStatus`: a status on each reconciled revision's commit at the git host.
public struct CommitStatusSettings: Sendable, Equatable {
    /// The git host's API.
    public enum Provider: String, Sendable, Equatable, CaseIterable {
        case github, gitlab, gitea
    }

    /// The provider.
    public var provider: Provider
    /// The API's base URL, e.g. `https://api.github.com`, `https://gitlab.example.com/api/v4`,
    /// `https://gitea.example.com/api/v1`.
    public var apiUrl: String
    /// `owner/name` (GitLab: the project's path or numeric id).
    public var repository: String
    /// A file holding the API token.
    public var tokenFile: String
    /// The status's context (GitLab: its name).
    public var context = "tablekeeper"

    /// Creates settings.
    public init(provider: Provider, apiUrl: String, repository: String, tokenFile: String) {
        self.provider = provider
        self.apiUrl = apiUrl
        self.repository = repository
        self.tokenFile = tokenFile
    }
}
