internal import CLibGit2
import FoundationEssentials
import Glibc
import SystemSupport

/// State handed to libgit2's C callbacks through their `payload` pointer.
final class FetchCallbacks {
    let auth: GitAuth
    let host: String
    let port: Int?
    let maxBytes: Int
    var credentialAttempts = 0
    var hostKeyProblem: String?
    var refusal: String?

    init(auth: GitAuth, url: String, maxBytes: Int) {
        self.auth = auth
        self.maxBytes = maxBytes
        (self.host, self.port) = Self.hostAndPort(url) ?? ("", nil)
    }

    /// The host (and port) of a URL, also of scp-like ssh (`git@host:ops/tables.git`); nil when there is none.
    static func hostAndPort(_ url: String) -> (host: String, port: Int?)? {
        if url.contains("://") {
            guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
                return nil
            }
            return (host, components.port)
        }
        guard let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/") else { return nil }
        let authority = url[..<colon]
        let host = authority.split(separator: "@").last.map(String.init) ?? ""
        return host.isEmpty ? nil : (host, nil)
    }

    static func secret(fromFile path: String?) -> String? {
        guard let path, let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let trimmed = text.trimmingWhitespace()
        return trimmed.isEmpty ? nil : trimmed
    }
}

/// What one fetch did to the tracking reference.
struct FetchResult {
    var before: ObjectID?
    var after: ObjectID?
    var branchOnRemote: Bool
}

extension GitRepository {
    static func trackingReference(_ branch: String) -> String {
        "refs/remotes/origin/\(branch)"
    }

    /// Fetches exactly one branch with a forced refspec, so force-pushes are followed.
    ///
    /// The remote is anonymous and created with `SKIP_INSTEADOF`: libgit2 1.5.1 leaks on every remote
    /// that applies `url.*.insteadOf`, and the URL must come from Tablekeeper's config alone.
    ///
    /// No off-site redirect is followed, credentials go only to the configured host, and a download over
    /// `maxBytes` is aborted.
    func fetch(url: String, branch: String, auth: GitAuth, maxBytes: Int = 1 << 30) throws(GitError) -> FetchResult {
        let tracking = Self.trackingReference(branch)
        let before = try referenceTarget(tracking)
        var remote: OpaquePointer?
        var options = git_remote_create_options()
        try check(
            git_remote_create_options_init(&options, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION)),
            "git_remote_create_options_init"
        )
        options.repository = handle
        options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue
        try check(git_remote_create_with_opts(&remote, url, &options), "git_remote_create_with_opts")
        defer { git_remote_free(remote) }

        let callbacks = FetchCallbacks(auth: auth, url: url, maxBytes: maxBytes)
        var fetchOptions = git_fetch_options()
        try check(git_fetch_options_init(&fetchOptions, UInt32(GIT_FETCH_OPTIONS_VERSION)), "git_fetch_options_init")
        fetchOptions.prune = GIT_FETCH_PRUNE
        fetchOptions.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE
        fetchOptions.update_fetchhead = 0
        fetchOptions.callbacks.credentials = credentialsCallback
        fetchOptions.callbacks.certificate_check = certificateCallback
        fetchOptions.callbacks.transfer_progress = transferCallback
        fetchOptions.follow_redirects = GIT_REMOTE_REDIRECT_NONE
        // The payload stays alive for the whole synchronous fetch (withExtendedLifetime below).
        fetchOptions.callbacks.payload = Unmanaged.passUnretained(callbacks).toOpaque()
        let refspec = "+refs/heads/\(branch):\(tracking)"
        let code: Int32 = withExtendedLifetime(callbacks) {
            withStringArray([refspec]) { refspecs in
                git_remote_fetch(remote, refspecs, &fetchOptions, "tablekeeper: fetch")
            }
        }
        if code < 0 {
            var error = GitError.last(code: code, operation: "fetch")
            if let problem = callbacks.hostKeyProblem { error.message = problem }
            if let refusal = callbacks.refusal {
                throw GitError(
                    code: GitError.limitCode,
                    errorClass: Int32(GIT_ERROR_CALLBACK.rawValue),
                    message: refusal,
                    operation: "fetch"
                )
            }
            throw error
        }
        var heads: UnsafeMutablePointer<UnsafePointer<git_remote_head>?>?
        var count = 0
        try check(git_remote_ls(&heads, &count, remote), "git_remote_ls")
        let wanted = "refs/heads/\(branch)"
        var advertised = false
        for index in 0..<count {
            if let head = heads?[index], String(cString: head.pointee.name) == wanted { advertised = true }
        }
        return FetchResult(before: before, after: try referenceTarget(tracking), branchOnRemote: advertised)
    }
}

/// Calls `body` with a `git_strarray` of copies of `strings`, freed afterwards (not by libgit2).
private func withStringArray<R>(_ strings: [String], _ body: (UnsafeMutablePointer<git_strarray>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    defer {
        for pointer in pointers { free(pointer) }
    }
    return pointers.withUnsafeMutableBufferPointer { buffer in
        var array = git_strarray(strings: buffer.baseAddress, count: buffer.count)
        return body(&array)
    }
}

/// libgit2 asks again after every refusal, so attempts are capped.
private let credentialsCallback: git_credential_acquire_cb = { out, url, usernameFromURL, allowed, payload in
    guard let out, let payload else { return GIT_PASSTHROUGH.rawValue }
    let state = Unmanaged<FetchCallbacks>.fromOpaque(payload).takeUnretainedValue()
    // Credentials go to the configured host only (a redirect, or a URL rewritten on the way, gets none).
    let asking = url.flatMap { FetchCallbacks.hostAndPort(String(cString: $0))?.host }
    if asking == nil || asking != state.host || state.host.isEmpty {
        git_error_set_str(
            Int32(GIT_ERROR_CALLBACK.rawValue),
            "\(asking ?? "an unknown host") asked for credentials meant for \(state.host); refused"
        )
        return GIT_EAUTH.rawValue
    }
    state.credentialAttempts += 1
    if state.credentialAttempts > 3 {
        git_error_set_str(Int32(GIT_ERROR_CALLBACK.rawValue), "the remote refused the credentials 3 times")
        return GIT_EAUTH.rawValue
    }
    let user = usernameFromURL.map { String(cString: $0) } ?? state.auth.username
    if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0, let key = state.auth.sshKeyFile {
        return git_credential_ssh_key_new(out, user, nil, key, nil)
    }
    if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0, state.auth.sshKeyFile != nil {
        return git_credential_username_new(out, user)
    }
    if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0,
        let secret = FetchCallbacks.secret(fromFile: state.auth.tokenFile)
            ?? FetchCallbacks.secret(fromFile: state.auth.passwordFile)
    {
        return git_credential_userpass_plaintext_new(out, state.auth.username, secret)
    }
    git_error_set_str(
        Int32(GIT_ERROR_CALLBACK.rawValue),
        "the remote asks for credentials and none are configured (source.auth)"
    )
    return GIT_EAUTH.rawValue
}

/// ssh host keys must match the known_hosts file or the pinned fingerprint; https uses libgit2's verdict.
private let certificateCallback: git_transport_certificate_check_cb = { certificate, valid, _, payload in
    guard let certificate, let payload else { return GIT_PASSTHROUGH.rawValue }
    let state = Unmanaged<FetchCallbacks>.fromOpaque(payload).takeUnretainedValue()
    guard certificate.pointee.cert_type == GIT_CERT_HOSTKEY_LIBSSH2 else { return GIT_PASSTHROUGH.rawValue }
    let hostKey = UnsafeRawPointer(certificate).assumingMemoryBound(to: git_cert_hostkey.self).pointee
    guard hostKey.type.rawValue & GIT_CERT_SSH_RAW.rawValue != 0, let raw = hostKey.hostkey else {
        state.hostKeyProblem = "the ssh host key could not be read"
        return GIT_ECERTIFICATE.rawValue
    }
    let key = [UInt8](UnsafeRawBufferPointer(start: raw, count: hostKey.hostkey_len))
    let fingerprint = KnownHosts.fingerprint(key)
    let knownHosts = state.auth.sshKnownHostsFile.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
    if let knownHosts, KnownHosts.isRevoked(key, host: state.host, port: state.port, knownHosts: knownHosts) {
        state.hostKeyProblem = "the ssh host key \(fingerprint) of \(state.host) is marked @revoked in known_hosts"
        return GIT_ECERTIFICATE.rawValue
    }
    if let pinned = state.auth.sshHostKeyFingerprint {
        if pinned == fingerprint { return 0 }
        state.hostKeyProblem = "the ssh host key \(fingerprint) does not match the pinned \(pinned)"
        return GIT_ECERTIFICATE.rawValue
    }
    if let knownHosts, KnownHosts.contains(key, host: state.host, port: state.port, knownHosts: knownHosts) {
        return 0
    }
    state.hostKeyProblem =
        "unknown ssh host key \(fingerprint) for \(state.host) (add it to source.auth.sshKnownHostsFile or pin it)"
    _ = valid
    return GIT_ECERTIFICATE.rawValue
}

/// Aborts a download that grows past the limit (a hostile push can make the pack as large as it likes).
private let transferCallback: git_indexer_progress_cb = { stats, payload in
    guard let stats, let payload else { return 0 }
    let state = Unmanaged<FetchCallbacks>.fromOpaque(payload).takeUnretainedValue()
    if stats.pointee.received_bytes > state.maxBytes {
        state.refusal =
            "the fetch downloaded more than \(state.maxBytes) bytes (source.maxFetchBytes); it was aborted"
        return -1
    }
    return 0
}
