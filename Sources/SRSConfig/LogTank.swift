/// Where the log goes (`srs_log_tank`).
public enum LogTank: String, Sendable, CaseIterable {
    /// Standard output.
    case console
    /// The file named by `srs_log_file`.
    case file
}
