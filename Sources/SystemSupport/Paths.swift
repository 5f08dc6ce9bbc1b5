/// Path and text helpers that Foundation's `NSString` and `CharacterSet` provided.
public enum Paths {
    /// `folder/name`, with exactly one slash between them; `name` alone when `folder` is empty.
    public static func join(_ folder: String, _ name: String) -> String {
        if folder.isEmpty { return name }
        if name.isEmpty { return folder }
        let trimmedName = name.drop { $0 == "/" }
        return folder.hasSuffix("/") ? folder + trimmedName : folder + "/" + trimmedName
    }

    /// The folder part of a path: `a/b` for `a/b/c`, `/` for `/c`, empty for `c`.
    public static func parent(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/") else { return "" }
        if slash == path.startIndex { return "/" }
        var folder = path[..<slash]
        while folder.count > 1, folder.hasSuffix("/") { folder = folder.dropLast() }
        return String(folder)
    }

    /// The last part of a path: `c` for `a/b/c` and for `a/b/c/`.
    public static func lastComponent(_ path: String) -> String {
        var path = Substring(path)
        while path.count > 1, path.hasSuffix("/") { path = path.dropLast() }
        guard let slash = path.lastIndex(of: "/"), path.count > 1 else { return String(path) }
        return String(path[path.index(after: slash)...])
    }
}

extension StringProtocol {
    /// The text without leading and trailing white space (Unicode's, line breaks included), as Foundation's
    /// `whitespacesAndNewlines` and Python's `str.strip()` trim it.
    public func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace })
        else { return "" }
        return String(self[first...last])
    }
}
