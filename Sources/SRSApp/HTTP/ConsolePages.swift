import Foundation

/// The web console (`Sources/SRSApp/Console`: plain HTML, CSS and JavaScript, no build step),
/// installed with the server as its resource bundle (`SwiftSRS_SRSApp.resources` beside the
/// executable) and served at `/console/` by every HTTP server port; `/` leads there unless
/// `http_server.dir` has its own index.html.
enum ConsolePages {
    static let mount = "/console/"

    /// The folder of the pages; nil when the resource bundle is missing (logged once).
    static let directory: String? = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let folder = executable.appendingPathComponent("SwiftSRS_SRSApp.resources/Console").path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            log.warn(Server.serverContextId, "the console's pages are missing (\(folder)); /console/ answers 404")
            return nil
        }
        return folder
    }()
}
