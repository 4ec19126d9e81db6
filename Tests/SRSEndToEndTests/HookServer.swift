import Foundation
import XCTest

/// A small callback server (Python's http.server) that records every POST and answers by the
/// body's stream: "denied" (or a tcUrl holding "bad-token") gets {"code":1}, "hang" gets no answer for 60 s, "broken" gets
/// HTTP 500; everything else passes, with `0` on paths starting /zero and {"code":0} elsewhere.
final class HookServer {
    let port: Int
    private let logPath: String
    private let process: Process

    static let script = """
        import json, sys, time, threading
        from http.server import ThreadingHTTPServer, BaseHTTPRequestHandler
        lock = threading.Lock()
        out = open(sys.argv[1], 'a')
        class Hook(BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get('Content-Length', '0')))
                try:
                    event = json.loads(body)
                except Exception:
                    event = {'unparsed': body.decode('latin-1')}
                with lock:
                    out.write(json.dumps({'path': self.path, 'type': self.headers.get('Content-Type'), 'body': event}) + '\\n')
                    out.flush()
                stream = event.get('stream') if isinstance(event, dict) else None
                if stream == 'hang':
                    time.sleep(60)
                    return
                status, answer = 200, ('0' if self.path.startswith('/zero') else '{"code":0}')
                if stream == 'denied' or (isinstance(event, dict) and 'bad-token' in str(event.get('tcUrl', ''))):
                    answer = '{"code":1,"msg":"denied by test"}'
                if stream == 'broken':
                    status, answer = 500, 'oops'
                data = answer.encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            def log_message(self, *args):
                pass
        server = ThreadingHTTPServer(('127.0.0.1', 0), Hook)
        server.daemon_threads = True
        if len(sys.argv) > 3:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[2], sys.argv[3])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """

    /// The scheme of `url(_:)`.
    private let scheme: String

    /// `tls`: a certificate and its key; the server then speaks HTTPS.
    init(directory: String, tls: (certificate: String, key: String)? = nil) throws {
        let scriptPath = directory + "/hooks.py"
        logPath = directory + "/hooks-\(UUID().uuidString.prefix(6)).jsonl"
        scheme = tls == nil ? "http" : "https"
        try Self.script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: try ExternalTool.require("python3"))
        process.arguments = [scriptPath, logPath] + (tls.map { [$0.certificate, $0.key] } ?? [])
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        TestProcesses.shared.track(process)
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { throw TestFailure("the hook server did not start") }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw TestFailure("the hook server printed no port")
        }
        self.port = port
    }

    func url(_ path: String) -> String { "\(scheme)://127.0.0.1:\(port)\(path)" }

    /// Every call so far: (path, JSON body).
    var calls: [(path: String, body: [String: Any])] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = object["path"] as? String, let body = object["body"] as? [String: Any] else { return nil }
            return (path, body)
        }
    }

    func calls(_ action: String) -> [[String: Any]] {
        calls.filter { $0.body["action"] as? String == action }.map(\.body)
    }

    deinit { ExternalTool.stop(process) }
}
