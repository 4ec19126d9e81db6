/// Matches request paths against an `http_remux` mount such as `[vhost]/[app]/[stream].flv`.
/// The `[vhost]` part is the request's Host (the vhost is chosen before matching), so it is
/// dropped from the template; `[app]` may span several path segments, `[stream]` one.
enum RemuxMount {
    /// The live formats, chosen by the mount's extension.
    enum Format: String, Sendable, CustomStringConvertible {
        case flv, ts, aac, mp3, mp4

        var contentType: String {
            switch self {
            case .flv: return "video/x-flv"
            case .ts: return "video/MP2T"
            case .aac: return "audio/aac"
            case .mp3: return "audio/mpeg"
            case .mp4: return "video/mp4"
            }
        }

        var description: String { rawValue }
    }

    struct Match: Equatable {
        var app: String
        var stream: String
        var format: Format
    }

    private enum Token: Equatable {
        case literal(String)
        case app
        case stream
    }

    static func match(template: String, path: String) -> Match? {
        var template = template
        if template.hasPrefix("[vhost]") { template.removeFirst("[vhost]".count) }
        if !template.hasPrefix("/") { template = "/" + template }
        guard let dot = template.lastIndex(of: "."), let format = Format(rawValue: String(template[template.index(after: dot)...])) else {
            return nil
        }
        let tokens = tokenize(template)
        var app: String?
        var stream: String?
        guard matchTokens(tokens[...], Substring(path), &app, &stream), let stream, !stream.isEmpty else { return nil }
        return Match(app: app ?? "", stream: stream, format: format)
    }

    private static func tokenize(_ template: String) -> [Token] {
        var tokens: [Token] = []
        var rest = Substring(template)
        while !rest.isEmpty {
            if rest.hasPrefix("[app]") {
                tokens.append(.app)
                rest = rest.dropFirst(5)
            } else if rest.hasPrefix("[stream]") {
                tokens.append(.stream)
                rest = rest.dropFirst(8)
            } else {
                let next = rest.dropFirst().firstIndex(of: "[") ?? rest.endIndex
                tokens.append(.literal(String(rest[..<next])))
                rest = rest[next...]
            }
        }
        return tokens
    }

    private static func matchTokens(_ tokens: ArraySlice<Token>, _ path: Substring, _ app: inout String?, _ stream: inout String?) -> Bool {
        guard let first = tokens.first else { return path.isEmpty }
        switch first {
        case .literal(let text):
            guard path.hasPrefix(text) else { return false }
            return matchTokens(tokens.dropFirst(), path.dropFirst(text.count), &app, &stream)
        case .app, .stream:
            // Try every split point (paths are short).
            var end = path.startIndex
            while end < path.endIndex {
                end = path.index(after: end)
                let candidate = path[path.startIndex..<end]
                if first == .stream && candidate.contains("/") { return false }
                var nextApp = app
                var nextStream = stream
                if first == .app { nextApp = String(candidate) } else { nextStream = String(candidate) }
                if matchTokens(tokens.dropFirst(), path[end...], &nextApp, &nextStream) {
                    app = nextApp
                    stream = nextStream
                    return true
                }
            }
            return false
        }
    }
}
