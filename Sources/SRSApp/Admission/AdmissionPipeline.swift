import SRSConfig
import SRSIO
import SRSRTMP

/// The one admission path for clients of every protocol. `admit` runs the same ordered checks
/// for each: vhost resolution, unsafe names, `security`, `refer*`, the origin's verdict
/// (`token_traverse`, connect on an edge), then the callback of the action (on_connect,
/// on_publish, on_play). `max_connections` is checked once, at accept, for every listener.
/// Every refusal is logged once here, with the client's context id.
///
/// Once admitted, clients join streams through `StreamGate` (the same API records, log
/// lines, edge pulls and on_stop for every protocol).
final class AdmissionPipeline: Sendable {
    private let config: @Sendable () -> ServerConfig
    private let hooks: HookCaller
    private let connector: any TransportConnector

    init(config: @escaping @Sendable () -> ServerConfig, hooks: HookCaller, connector: any TransportConnector) {
        self.config = config
        self.hooks = hooks
        self.connector = connector
    }

    /// Runs the checks for `request`. Returns the verdict when every check was local; nil when
    /// an origin or a callback must answer: `completion` then runs on `loop` with the verdict,
    /// always after this call returned (callers hold the client meanwhile).
    func admit(_ request: AdmissionRequest, loop: EventLoop, completion: @escaping (AdmissionVerdict) -> Void) -> AdmissionVerdict? {
        let vhost: VhostConfig
        var stream = request.stream
        switch localChecks(request, stream: &stream) {
        case .failure(let refusal):
            return refuse(request, refusal)
        case .success(let resolved):
            vhost = resolved
        }
        var remote: [RemoteCheck] = []
        if request.action == .connect && vhost.edge.isEdge && vhost.edge.tokenTraverse {
            remote.append(.origin)
        }
        let event = request.action.hookEvent
        if !vhost.hooks.urls(for: event).isEmpty { remote.append(.callback(event)) }
        guard !remote.isEmpty else { return .admitted(vhost, stream) }
        runRemote(remote[...], request: request, stream: stream, vhost: vhost, loop: loop, completion: completion)
        return nil
    }

    private enum RemoteCheck {
        case origin
        case callback(HTTPHooksConfig.Event)
    }

    /// Vhost, names, security and page URLs: what needs nobody else's answer.
    private func localChecks(_ request: AdmissionRequest, stream: inout StreamRequest) -> Result<VhostConfig, AdmissionRefusal> {
        guard let vhost = config().vhostOrDefault(stream.vhost) else {
            return .failure(AdmissionRefusal(kind: .vhostNotServed, reason: "vhost \(stream.vhost) not found and no __defaultVhost__"))
        }
        guard vhost.enabled else {
            return .failure(AdmissionRefusal(kind: .vhostNotServed, reason: "vhost \(vhost.name) is disabled"))
        }
        stream.vhost = vhost.name
        let action = request.action
        if action != .connect, let unsafe = stream.unsafeNameReason {
            return .failure(AdmissionRefusal(kind: .unsafeName, reason: "\(action.rawValue) of an unsafe name: \(unsafe)"))
        }
        if let securityAction = action.securityAction, !vhost.security.allows(securityAction, from: request.ip) {
            return .failure(AdmissionRefusal(kind: .security, reason: "security: \(request.ip) may not \(action.rawValue) on vhost \(vhost.name)"))
        }
        var lists: [[String]?] = []
        switch action {
        case .connect: lists = [vhost.refer.all]
        case .publish: lists = [vhost.refer.publish]
        case .play: lists = (request.connectsToo ? [vhost.refer.all] : []) + [vhost.refer.play]
        }
        for list in lists where !ReferConfig.allows(list, pageUrl: stream.pageUrl) {
            return .failure(AdmissionRefusal(
                kind: .refer, reason: "refer: pageUrl '\(stream.pageUrl)' may not \(action.rawValue) on vhost \(vhost.name) (allowed: \(list ?? []))"))
        }
        return .success(vhost)
    }

    private func runRemote(_ checks: ArraySlice<RemoteCheck>, request: AdmissionRequest, stream: StreamRequest, vhost: VhostConfig,
                           loop: EventLoop, completion: @escaping (AdmissionVerdict) -> Void) {
        guard let check = checks.first else {
            completion(.admitted(vhost, stream))
            return
        }
        let next: (HookVerdict) -> Void = { [self] verdict in
            switch verdict {
            case .allowed:
                runRemote(checks.dropFirst(), request: request, stream: stream, vhost: vhost, loop: loop, completion: completion)
            case .rejected(let why):
                let kind: AdmissionRefusal.Kind
                if case .origin = check { kind = .origin } else { kind = .callback }
                completion(refuse(request, AdmissionRefusal(kind: kind, reason: why)))
            }
        }
        switch check {
        case .origin:
            log.trace(request.clientId, "edge token_traverse: asking the origin about tcUrl=\(stream.tcUrl)")
            EdgeTokenCheck.run(stream, origins: vhost.edge.origins, loop: loop, connector: connector, completion: next)
        case .callback(let event):
            hooks.call(event, hooks: vhost.hooks, body: request.action.hookBody(request, stream), contextId: request.clientId, loop: loop,
                       completion: next)
        }
    }

    private func refuse(_ request: AdmissionRequest, _ refusal: AdmissionRefusal) -> AdmissionVerdict {
        log.warn(request.clientId, "\(refusal.reason); \(request.action.rawValue) refused")
        return .refused(refusal)
    }
}

extension AdmissionRequest.Action {
    /// The callback that decides this action.
    var hookEvent: HTTPHooksConfig.Event {
        switch self {
        case .connect: .onConnect
        case .publish: .onPublish
        case .play: .onPlay
        }
    }

    var securityAction: SecurityConfig.Action? {
        switch self {
        case .connect: nil
        case .publish: .publish
        case .play: .play
        }
    }

    func hookBody(_ request: AdmissionRequest, _ stream: StreamRequest) -> HookBody.Fields {
        switch self {
        case .connect: HookBody.connect(clientId: request.clientId, ip: request.ip, stream)
        case .publish: HookBody.publish(clientId: request.clientId, ip: request.ip, stream)
        case .play: HookBody.play(clientId: request.clientId, ip: request.ip, stream)
        }
    }
}
