import Foundation
import SRSConfig
import SRSIO

/// What `srs` does once its command line is read (`-c FILE` runs the server, `-t` checks the
/// config): every failure ends with one clear line on stderr and exit 1.
public enum ServerLauncher {
    /// Loads `configPath` and runs the server (`testOnly`: checks the config, prints SRS's two
    /// lines and exits 0). Never returns while serving; a bad config exits 1 with one line.
    public static func start(configPath: String, testOnly: Bool) -> Never {
        var configPath = configPath
        // Absolute, so that reloads still find it after work_dir changed the directory.
        configPath = URL(fileURLWithPath: configPath).standardizedFileURL.path
        let config: ServerConfig
        do {
            config = try ServerConfig.load(path: configPath)
        } catch {
            fail("config error: \(error)")
        }
        if testOnly {
            for warning in config.warnings { FileHandle.standardError.write(Data("srs: warning: \(warning)\n".utf8)) }
            for applied in config.environmentOverrides { FileHandle.standardError.write(Data("srs: from the environment: \(applied)\n".utf8)) }
            print("srs: the config file \(configPath) syntax is ok")
            print("srs: config file \(configPath) test is successful")
            exit(0)
        }
        run(config)
    }

    /// `asprocess`: quit when the parent process dies (we are re-parented).
    static func watchParent(server: Server, onExit: @escaping @Sendable (Int32) -> Void) {
        let parent = getppid()
        parentWatch = RepeatingTimer(label: "srs.asprocess", intervalMs: 1000) {
            if getppid() != parent {
                log.warn(Server.serverContextId, "asprocess: parent \(parent) is gone, quitting")
                server.quit(graceful: true, onExit: onExit)
            }
        }
    }

    nonisolated(unsafe) private static var parentWatch: RepeatingTimer?

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("srs: \(message)\n".utf8))
        exit(1)
    }

    static func run(_ config: ServerConfig) -> Never {
        // A daemon keeps none of its parent's descriptors (an init script's, a harness's pipes).
        if config.daemon { ProcessLimits.closeInheritedDescriptors() }
        do {
            try Logger.shared.configure(tank: config.logTank, level: config.logLevel, file: config.logFile, utcTime: config.utcTime)
        } catch {
            fail("\(error)")
        }
        if config.workDir != "./" && !config.workDir.isEmpty && chdir(config.workDir) != 0 {
            fail("work_dir \(config.workDir): \(String(cString: strerror(errno)))")
        }
        if config.daemon {
            // Before any thread exists: fork to the background, keep the working directory.
            if daemon(1, 0) != 0 { fail("daemon: \(String(cString: strerror(errno)))") }
            Logger.shared.processChanged()
        }
        SignalWatcher.ignoreBrokenPipe()
        let descriptors = ProcessLimits.raiseFileDescriptorLimit()
        let cid = Server.serverContextId
        log.trace(cid, "\(ServerVersion.signature) (SRS \(ServerVersion.compatibleSRS) compatible) starting, config \(config.path), pid \(getpid())")
        log.trace(cid, "file descriptor limit \(descriptors), \(ProcessInfo.processInfo.activeProcessorCount) loops")
        for warning in config.warnings { log.warn(cid, "config: \(warning)") }
        for applied in config.environmentOverrides { log.trace(cid, "config: from the environment: \(applied)") }
        do {
            try writePidFile(config.pidFile)
        } catch {
            fail("\(error)")
        }
        let server = Server(config: config)
        do {
            try server.start()
        } catch {
            removePidFile(config.pidFile)
            log.flush()
            fail("\(error)")
        }
        let pidFile = config.pidFile
        let onExit: @Sendable (Int32) -> Void = { code in
            log.trace(cid, "server stopped")
            log.flush()
            removePidFile(pidFile)
            exit(code)
        }
        server.installSignalHandlers(onExit: onExit)
        publishPid()
        if config.asprocess { watchParent(server: server, onExit: onExit) }
        MainThread.park()
    }

    /// Opens `path` and keeps it locked (as SRS does), so a second server with the same pid
    /// file refuses to start instead of overwriting it; `publishPid` writes the pid.
    static func writePidFile(_ path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ServerError("open pid file \(path)", String(cString: strerror(errno))) }
        guard lockf(fd, F_TLOCK, 0) == 0 else {
            let other = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
            close(fd)
            throw ServerError("lock pid file \(path)", "another srs (pid \(other)) is running with it")
        }
        pidFileDescriptor = fd  // kept open: the lock lasts as long as the process
    }

    /// Writes our pid into the locked pid file, once the server listens: a service script that
    /// sees the pid may signal it at once, and a start that failed leaves no pid behind.
    static func publishPid() {
        let text = Array("\(getpid())\n".utf8)
        _ = ftruncate(pidFileDescriptor, 0)
        _ = text.withUnsafeBytes { pwrite(pidFileDescriptor, $0.baseAddress, $0.count, 0) }
    }

    nonisolated(unsafe) private static var pidFileDescriptor: Int32 = -1

    static func removePidFile(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }
}
