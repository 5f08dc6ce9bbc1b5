import SystemSupport
import Testing

@Suite("paths and text")
struct PathsTests {
    @Test(
        "join puts exactly one slash between a folder and a name",
        arguments: [
            ("manifests", "a.json", "manifests/a.json"), ("manifests/", "a.json", "manifests/a.json"),
            ("/", "a.json", "/a.json"), ("", "a.json", "a.json"), ("manifests", "", "manifests"),
            ("manifests", "/a.json", "manifests/a.json"), ("a/b", "c/d.json", "a/b/c/d.json"),
        ]
    )
    func join(folder: String, name: String, expected: String) {
        #expect(Paths.join(folder, name) == expected)
    }

    @Test(
        "parent and last component split a path as NSString did",
        arguments: [
            ("/var/lib/tablekeeper/repo", "/var/lib/tablekeeper", "repo"), ("repo", "", "repo"),
            ("/repo", "/", "repo"), ("a/b/", "a", "b"), ("/", "/", "/"), ("a//b", "a", "b"),
        ]
    )
    func split(path: String, parent: String, last: String) {
        #expect(Paths.parent(path) == parent)
        #expect(Paths.lastComponent(path) == last)
    }

    @Test("whitespace is trimmed at both ends only")
    func trimming() {
        #expect("  token\r\n".trimmingWhitespace() == "token")
        #expect("\tkey = value \t".trimmingWhitespace() == "key = value")
        #expect(" \n\r\t ".trimmingWhitespace() == "")
        #expect("é ü".trimmingWhitespace() == "é ü")
        #expect("\u{00A0}value\u{2003}".trimmingWhitespace() == "value")
        #expect("[profile ops]"[...].dropFirst().dropLast().trimmingWhitespace() == "profile ops")
    }
}
