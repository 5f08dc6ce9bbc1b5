import GitSource
import SystemSupport

extension TablekeeperConfiguration {
    /// Every secret file the configuration (and the AWS container-credentials variable) names that others could
    /// read, one line each; a daemon refuses to start with any.
    public func secretFileProblems(environment: [String: String]) -> [String] {
        var files: [(setting: String, path: String?)] = [
            ("http.webhookSecretFile", http.webhookSecretFile),
            ("source.auth.tokenFile", source.auth.tokenFile),
            ("source.auth.passwordFile", source.auth.passwordFile),
            ("source.auth.sshKeyFile", source.auth.sshKeyFile),
        ]
        files.append(("source.commitStatus.tokenFile", commitStatus?.tokenFile))
        for (offset, receiver) in notify.enumerated() {
            files.append(("notify[\(offset)].secretFile", receiver.secretFile))
            files.append(("notify[\(offset)].urlFile", receiver.urlFile))
        }
        files.append(("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", environment["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"]))
        return files.compactMap { file in
            file.path.flatMap { SecretFile.problem($0, setting: file.setting) }
        }
    }
}
