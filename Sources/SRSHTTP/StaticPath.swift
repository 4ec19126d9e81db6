/// Maps request paths to file paths under a document root, without touching the file system.
public enum StaticPath {
    /// `root` joined with the decoded `requestPath` (e.g. ``HTTPRequest/path``) after removing empty
    /// and `.` segments and applying `..`; nil if a `..` would climb above `root` at any point, or if
    /// the path holds a NUL. A trailing `/` (a directory request, including `/` itself) is kept so the
    /// caller can add an index file. `root` is used as given, minus trailing slashes (`""` means `.`).
    /// Symbolic links inside the root are not the concern of this function.
    public static func resolve(root: String, requestPath: String) -> String? {
        guard !requestPath.utf8.contains(0) else { return nil }
        var segments: [Substring] = []
        let parts = requestPath.split(separator: "/", omittingEmptySubsequences: false)
        for part in parts {
            switch part {
            case "", ".": continue
            case "..":
                guard !segments.isEmpty else { return nil }
                segments.removeLast()
            default:
                segments.append(part)
            }
        }
        let last = parts.last ?? ""
        let directory = last.isEmpty || last == "." || last == ".."
        var base = Substring(root.isEmpty ? "." : root)
        while base.count > 1, base.hasSuffix("/") { base = base.dropLast() }
        var result = base == "/" ? "" : String(base)
        for segment in segments {
            result += "/" + segment
        }
        if directory || segments.isEmpty { result += "/" }
        return result
    }
}
