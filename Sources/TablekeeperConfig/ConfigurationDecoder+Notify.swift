import Manifest

extension ConfigurationDecoder {
    /// `notify`: who is told about outcomes that change.
    static func decodeNotify(_ elements: [JSONValue], diagnostics: inout Diagnostics) -> [NotifyReceiver] {
        var receivers: [NotifyReceiver] = []
        for (offset, element) in elements.enumerated() {
            let path = "$.notify[\(offset)]"
            guard let reader = JSONReader(element, path: path, what: "each receiver", diagnostics: &diagnostics) else {
                continue
            }
            reader.checkKeys(allowed: ["type", "url", "urlFile", "secretFile", "events"], diagnostics: &diagnostics)
            guard let kind = reader.enumeration("type", NotifyReceiver.Kind.self, diagnostics: &diagnostics) else {
                if !reader.has("type") {
                    diagnostics.add(path + ".type", "is required", fix: "use \"webhook\" or \"slack\"")
                }
                continue
            }
            var receiver = NotifyReceiver(kind: kind, events: [])
            receiver.url = reader.string("url", diagnostics: &diagnostics)
            receiver.urlFile = reader.string("urlFile", diagnostics: &diagnostics)
            receiver.secretFile = reader.string("secretFile", diagnostics: &diagnostics)
            switch kind {
            case .webhook:
                guard let url = receiver.url else {
                    diagnostics.add(path + ".url", "is required for a webhook", fix: "give the receiver's https URL")
                    continue
                }
                if !NotifyReceiver.isAllowed(url: url) {
                    diagnostics.add(
                        path + ".url",
                        "\(quoted(url)) is not https (http is allowed to loopback only) or names a user",
                        fix: "use an https URL without user info"
                    )
                    continue
                }
                if receiver.secretFile == nil {
                    diagnostics.add(
                        path + ".secretFile",
                        "is required for a webhook: its bodies are signed",
                        fix: "name a file (mode 0600) holding the shared secret"
                    )
                    continue
                }
            case .slack:
                if receiver.url != nil {
                    diagnostics.add(
                        path + ".url",
                        "a Slack webhook URL is a secret and does not belong in the configuration",
                        fix: "put it in a file (mode 0600) and name it in urlFile"
                    )
                    continue
                }
                if receiver.urlFile == nil {
                    diagnostics.add(path + ".urlFile", "is required for slack", fix: "name the file holding the URL")
                    continue
                }
            }
            guard let list = reader.array("events", diagnostics: &diagnostics), !list.isEmpty else {
                diagnostics.add(
                    path + ".events",
                    "is required",
                    fix: "list some of " + NotifyReceiver.Event.allCases.map(\.rawValue).joined(separator: ", ")
                )
                continue
            }
            for (index, item) in list.enumerated() {
                guard let name = item.stringValue, let event = NotifyReceiver.Event(rawValue: name) else {
                    diagnostics.add(
                        "\(path).events[\(index)]",
                        "is not an event",
                        fix: "use one of " + NotifyReceiver.Event.allCases.map(\.rawValue).joined(separator: ", ")
                    )
                    continue
                }
                receiver.events.insert(event)
            }
            receivers.append(receiver)
        }
        return receivers
    }
}

extension ConfigurationDecoder {
    /// `source.commitStatus`.
    static func decodeCommitStatus(_ reader: JSONReader, diagnostics: inout Diagnostics) -> CommitStatusSettings? {
        reader.checkKeys(
            allowed: ["provider", "apiUrl", "repository", "tokenFile", "context"],
            diagnostics: &diagnostics
        )
        let provider = reader.enumeration("provider", CommitStatusSettings.Provider.self, diagnostics: &diagnostics)
        let apiUrl = reader.string("apiUrl", diagnostics: &diagnostics)
        let repository = reader.string("repository", diagnostics: &diagnostics)
        let tokenFile = nonEmptyPath(reader, "tokenFile", diagnostics: &diagnostics)
        let examples = [
            "provider": "\"github\", \"gitlab\" or \"gitea\"", "apiUrl": "e.g. https://api.github.com",
            "repository": "owner/name", "tokenFile": "a file (mode 0600) holding the API token",
        ]
        for key in ["provider", "apiUrl", "repository", "tokenFile"] where !reader.has(key) {
            diagnostics.add(reader.childPath(key), "is required", fix: examples[key] ?? "")
        }
        if let apiUrl, !NotifyReceiver.isAllowed(url: apiUrl) {
            diagnostics.add(
                reader.childPath("apiUrl"),
                "\(quoted(apiUrl)) is not https (http is allowed to loopback only) or names a user",
                fix: "use the host's https API URL"
            )
            return nil
        }
        if let repository, repository.isEmpty || repository.hasPrefix("/") || repository.hasSuffix("/") {
            diagnostics.add(
                reader.childPath("repository"),
                "\(quoted(repository)) is not owner/name",
                fix: "e.g. ops/tables"
            )
            return nil
        }
        guard let provider, let apiUrl, let repository, let tokenFile else { return nil }
        var settings = CommitStatusSettings(
            provider: provider,
            apiUrl: apiUrl,
            repository: repository,
            tokenFile: tokenFile
        )
        if let context = reader.string("context", diagnostics: &diagnostics), !context.isEmpty {
            settings.context = context
        }
        return settings
    }
}
