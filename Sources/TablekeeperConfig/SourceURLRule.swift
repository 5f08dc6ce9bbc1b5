import FoundationEssentials
import GitSource
import Manifest

/// What `source.url` may be: the URL decides where manifests (and so table changes) come from, and whatever
/// credentials go with it.
enum SourceURLRule {
    /// The problem with a URL and its fix, nil when it is accepted.
    static func problem(_ url: String, allowLocal: Bool) -> (problem: String, fix: String)? {
        let local = (
            problem: "\(quoted(url)) is a local repository",
            fix: "use an https:// or ssh:// URL, or set source.allowLocal to true (demos and tests)"
        )
        guard let separator = url.firstRange(of: "://") else {
            // scp-like ssh (git@host:ops/tables.git) names a host before the first colon, with no slash before it.
            if let colon = url.firstIndex(of: ":"), !url[..<colon].contains("/"), url.first != "." {
                return nil
            }
            return allowLocal ? nil : local
        }
        let scheme = url[..<separator.lowerBound].lowercased()
        let components = URLComponents(string: url)
        switch scheme {
        case "https", "http":
            if components?.user != nil || components?.password != nil {
                return (
                    "\(quoted(URLScrubber.scrub(url))) carries user info (a user name or token in the URL)",
                    "remove it: put the token in source.auth.tokenFile and the user name in source.auth.username"
                )
            }
            if scheme == "http", !allowLocal {
                return (
                    "\(quoted(url)) is plain http: anyone on the path could change the manifests",
                    "use https://, or set source.allowLocal to true for a loopback test server"
                )
            }
            return nil
        case "ssh":
            if components?.password != nil {
                return (
                    "\(quoted(URLScrubber.scrub(url))) carries a password",
                    "remove it: use source.auth.sshKeyFile"
                )
            }
            return nil
        case "file":
            return allowLocal ? nil : local
        default:
            return ("\(quoted(url)) uses \(scheme)://", "use an https:// or ssh:// URL")
        }
    }
}
