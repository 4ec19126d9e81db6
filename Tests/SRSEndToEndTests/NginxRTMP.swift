import Foundation
import XCTest

/// nginx with Debian's libnginx-mod-rtmp on a free port, one worker, in the foreground:
/// a real peer for forward and edge tests. `application live { live on; }`.
final class NginxRTMP {
    let port: Int
    let directory: String
    private let process: Process
    static let modulePath = "/usr/lib/nginx/modules/ngx_rtmp_module.so"

    init(port: Int? = nil) throws {
        guard FileManager.default.fileExists(atPath: Self.modulePath) else {
            throw TestFailure("libnginx-mod-rtmp is not installed (\(Self.modulePath)); run scripts/test.sh")
        }
        self.port = port ?? ServerProcess.freePort()
        directory = NSTemporaryDirectory() + "swiftsrs-nginx-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory + "/logs", withIntermediateDirectories: true)
        let config = """
            load_module \(Self.modulePath);
            daemon off; master_process off; worker_processes 1;
            error_log \(directory)/logs/error.log info; pid \(directory)/nginx.pid;
            events { worker_connections 1024; }
            rtmp { server { listen 127.0.0.1:\(self.port); application live { live on; } } }
            """
        try config.write(toFile: directory + "/nginx.conf", atomically: true, encoding: .utf8)
        process = try ExternalTool.start("nginx", ["-p", directory, "-c", directory + "/nginx.conf"], logFile: directory + "/logs/stdout.log")
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if !process.isRunning { throw TestFailure("nginx exited at start: \(errorLog)") }
            if ServerProcess.canConnect(port: self.port) { return }
            usleep(50_000)
        }
        throw TestFailure("nginx did not accept on \(self.port): \(errorLog)")
    }

    var errorLog: String { (try? String(contentsOfFile: directory + "/logs/error.log", encoding: .utf8)) ?? "" }

    func url(_ path: String) -> String { "rtmp://127.0.0.1:\(port)/\(path)" }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = ExternalTool.wait(process, timeout: 5)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }
}
