/// `http_api { enabled; listen; crossdomain; auth { ... } raw_api { ... } }` (top level).
public struct HTTPAPIConfig: Sendable, Equatable {
    /// Default: off.
    public var enabled = false
    /// Default: 1985.
    public var listen = ListenAddress(port: 1985)
    /// CORS headers and OPTIONS answers. Default: on.
    public var crossdomain = true
    /// SRS 5's `auth { enabled; username; password; }`: HTTP Basic authentication on every
    /// API request and /metrics. Default: off
    public var authEnabled = false
    public var username = ""
    public var password = ""
    /// SRS's `raw_api { enabled; allow_reload; }`: `/api/v1/raw?rpc=reload` reloads the
    /// config. Default: off, off
    public var rawAPI = false
    public var rawAPIAllowReload = false

    public init() {}
}

/// `http_server { enabled; listen; dir; }` (top level; `http_stream` is an alias).
public struct HTTPServerConfig: Sendable, Equatable {
    /// Default: off.
    public var enabled = false
    /// Default: 8080.
    public var listen = ListenAddress(port: 8080)
    /// Root of the static files. Default: ./objs/nginx/html
    public var dir = "./objs/nginx/html"

    public init() {}
}

/// A vhost's `http_remux { enabled; mount; fast_cache; hstrs; }`: live streams over HTTP.
public struct HTTPRemuxConfig: Sendable, Equatable {
    /// Default: off.
    public var enabled = false
    /// URL templates; each one's extension picks its format (.flv, .ts, .aac, .mp3, .mp4).
    /// SwiftSRS serves every `mount` of the block (one per format); SRS serves the first.
    /// Default: [vhost]/[app]/[stream].flv
    public var mounts = ["[vhost]/[app]/[stream].flv"]
    /// The first mount (SRS's only one).
    public var mount: String {
        get { mounts.first ?? "" }
        set { mounts = [newValue] }
    }
    /// Seconds of audio cached for a fast start of audio-only outputs. Default: 0
    public var fastCache: Double = 0
    /// HTTP stream trigger: a request for an unpublished stream waits for it (on) or gets 404
    /// (off). Default: on
    public var hstrs = true

    public init() {}

    public init(enabled: Bool, mount: String, fastCache: Double, hstrs: Bool) {
        self.enabled = enabled
        self.mount = mount
        self.fastCache = fastCache
        self.hstrs = hstrs
    }
}

/// A vhost's `http_static { enabled; mount; dir; }` (`http` is an alias): static files.
public struct HTTPStaticConfig: Sendable, Equatable {
    /// Default: off.
    public var enabled = false
    /// URL prefix. Default: [vhost]/
    public var mount = "[vhost]/"
    /// Folder served. Default: ./objs/nginx/html
    public var dir = "./objs/nginx/html"

    public init() {}
}
