/// Content types of served files, by file extension.
public enum MIMEType {
    /// The Content-Type for the file extension of `path`'s last segment (case-insensitive);
    /// `application/octet-stream` when unknown or absent.
    public static func forPath(_ path: String) -> String {
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last ?? ""
        guard let dot = name.lastIndex(of: "."), dot > name.startIndex else { return defaultType }
        return types[ASCII.lowercased(name[name.index(after: dot)...])] ?? defaultType
    }

    /// The type of unknown files.
    public static let defaultType = "application/octet-stream"

    private static let types: [String: String] = [
        "m3u8": "application/vnd.apple.mpegurl",
        "ts": "video/MP2T",
        "flv": "video/x-flv",
        "mp4": "video/mp4",
        "m4v": "video/mp4",
        "m4a": "audio/mp4",
        "m4s": "video/iso.segment",
        "mpd": "application/dash+xml",
        "f4m": "application/f4m+xml",
        "abst": "application/octet-stream",
        "webm": "video/webm",
        "aac": "audio/aac",
        "mp3": "audio/mpeg",
        "html": "text/html; charset=utf-8",
        "htm": "text/html; charset=utf-8",
        "js": "application/javascript",
        "mjs": "application/javascript",
        "css": "text/css",
        "json": "application/json",
        "txt": "text/plain",
        "xml": "application/xml",
        "png": "image/png",
        "jpg": "image/jpeg",
        "jpeg": "image/jpeg",
        "gif": "image/gif",
        "ico": "image/x-icon",
        "svg": "image/svg+xml",
        "wasm": "application/wasm",
        "swf": "application/x-shockwave-flash",
    ]
}
