import FoundationEssentials
import SystemSupport

/// The process environment and shared AWS files that credential, region and endpoint resolution read.
///
/// Injected so tests resolve against their own variables and files, never the machine's.
public struct AWSEnvironment: Sendable {
    /// Environment variables.
    public var variables: [String: String]

    /// Creates an environment from explicit variables.
    public init(variables: [String: String]) {
        self.variables = variables
    }

    /// The current process environment.
    public static var process: AWSEnvironment {
        AWSEnvironment(variables: ProcessInfo.processInfo.environment)
    }

    /// A non-empty variable.
    public subscript(name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// The selected profile: `AWS_PROFILE`, then `AWS_DEFAULT_PROFILE`, then `default`.
    public var profileName: String {
        self["AWS_PROFILE"] ?? self["AWS_DEFAULT_PROFILE"] ?? "default"
    }

    private var home: String {
        self["HOME"] ?? FileManager.default.homeDirectoryForCurrentUser.path
    }

    /// The shared credentials file (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`).
    public var credentialsFilePath: String {
        self["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
    }

    /// The shared config file (`AWS_CONFIG_FILE` or `~/.aws/config`).
    public var configFilePath: String {
        self["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
    }

    /// The selected profile's settings from the config file (`[profile NAME]`, or `[default]`).
    public func profileConfig() -> [String: String] {
        let file = SharedINIFile.load(path: configFilePath)
        let name = profileName
        return (name == "default" ? file.sections["default"] : nil) ?? file.sections["profile \(name)"] ?? [:]
    }

    /// The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`.
    public func region() -> String? {
        self["AWS_REGION"] ?? self["AWS_DEFAULT_REGION"] ?? profileConfig()["region"]
    }

    /// The endpoint for a service id (`dynamodb`, `kms`, `sts`), from the standard variables and the config file.
    public func endpoint(service: String) -> String? {
        if self["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true" { return nil }
        if let specific = self["AWS_ENDPOINT_URL_\(service.uppercased())"] { return specific }
        if let global = self["AWS_ENDPOINT_URL"] { return global }
        let profile = profileConfig()
        if let servicesName = profile["services"] {
            let file = SharedINIFile.load(path: configFilePath)
            if let url = file.sections["services \(servicesName)"]?["\(service).endpoint_url"] { return url }
        }
        return profile["endpoint_url"]
    }
}

/// The INI dialect of `~/.aws/credentials` and `~/.aws/config`, including indented sub-keys
/// (`dynamodb =` followed by `  endpoint_url = ...` is stored as `dynamodb.endpoint_url`).
public struct SharedINIFile: Sendable {
    /// Sections by name, each a map of keys to values.
    public var sections: [String: [String: String]]

    /// Reads a file; a missing or unreadable file is empty.
    public static func load(path: String) -> SharedINIFile {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return SharedINIFile(sections: [:]) }
        return parse(text)
    }

    /// Parses INI text.
    public static func parse(_ text: String) -> SharedINIFile {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var parentKey: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let isIndented = rawLine.first == " " || rawLine.first == "\t"
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                current = line.dropFirst().dropLast().trimmingWhitespace()
                parentKey = nil
                sections[current!, default: [:]] = sections[current!] ?? [:]
                continue
            }
            guard let section = current, let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingWhitespace()
            var value = line[line.index(after: equals)...].trimmingWhitespace()
            if let comment = value.firstRange(of: " ;") ?? value.firstRange(of: " #") {
                value = String(value[..<comment.lowerBound]).trimmingWhitespace()
            }
            if isIndented, let parentKey {
                sections[section]?["\(parentKey).\(key)"] = value
            } else {
                sections[section]?[key] = value
                parentKey = value.isEmpty ? key : nil
            }
        }
        return SharedINIFile(sections: sections)
    }
}
