import COpenSSL

/// The client side of a TLS connection as a sans-I/O state machine over OpenSSL memory BIOs:
/// bytes read from the socket go in with `receive`, plaintext comes out; plaintext to send
/// goes in with `write`; what must go to the socket is taken with `takeOutput`. The server's
/// certificate is verified against the system's trusted roots (OpenSSL's default paths, which
/// honour `SSL_CERT_FILE` and `SSL_CERT_DIR`) and must name `host` (DNS name or IP address);
/// SNI carries `host` when it is a name.
public final class TLSClientSession {
    /// Why TLS failed: the handshake (with the verification result when that failed), or a
    /// record that does not decrypt.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// One client context for the process: it holds the trusted roots, read once (reading
    /// the system's bundle takes tens of milliseconds). OpenSSL contexts are safe to share
    /// between threads once set up.
    private final class SharedContext: @unchecked Sendable {
        let context: OpaquePointer?

        init() {
            context = SSL_CTX_new(TLS_client_method())
            if let context {
                SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
                SSL_CTX_set_default_verify_paths(context)
            }
        }
    }
    private static let shared = SharedContext()

    private let ssl: OpaquePointer
    private let readBIO: OpaquePointer
    private let writeBIO: OpaquePointer
    private let host: String
    /// The handshake completed: `write` encrypts at once.
    public private(set) var isEstablished = false
    /// Plaintext written before the handshake completed.
    private var waitingPlaintext: [UInt8] = []

    /// A session for a server at `host` (the URL's host: DNS name or IP address).
    public init(host: String) throws(Failure) {
        guard let context = Self.shared.context else { throw Failure(description: "TLS: no context: \(Self.openSSLErrors())") }
        guard let ssl = SSL_new(context) else { throw Failure(description: "TLS: no session: \(Self.openSSLErrors())") }
        guard let readBIO = BIO_new(BIO_s_mem()), let writeBIO = BIO_new(BIO_s_mem()) else {
            SSL_free(ssl)
            throw Failure(description: "TLS: no buffers: \(Self.openSSLErrors())")
        }
        self.ssl = ssl
        self.readBIO = readBIO
        self.writeBIO = writeBIO
        self.host = host
        SSL_set_bio(ssl, readBIO, writeBIO)  // the session owns both BIOs now
        SSL_set_connect_state(ssl)
        if Self.isIPAddress(host) {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host)
        } else {
            SSL_set1_host(ssl, host)
            srs_ssl_set_sni(ssl, host)
        }
    }

    deinit {
        SSL_free(ssl)  // and both BIOs
    }

    /// Starts the handshake; its first bytes are in `takeOutput()`.
    public func start() throws(Failure) {
        try handshake()
    }

    /// Takes bytes read from the socket; returns the plaintext they complete.
    public func receive(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> [UInt8] {
        var offset = 0
        while offset < bytes.count {
            let written = BIO_write(readBIO, bytes.baseAddress! + offset, Int32(bytes.count - offset))
            guard written > 0 else { throw Failure(description: "TLS: cannot buffer received bytes") }
            offset += Int(written)
        }
        if !isEstablished {
            try handshake()
            guard isEstablished else { return [] }
        }
        var plaintext: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
            if n > 0 {
                plaintext += buffer[0..<Int(n)]
                continue
            }
            let error = SSL_get_error(ssl, n)
            if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_ZERO_RETURN { return plaintext }
            throw Failure(description: "TLS: cannot read from \(host): \(Self.openSSLErrors())")
        }
    }

    /// Encrypts `plaintext` (after the handshake, when it is still under way).
    public func write(_ plaintext: [UInt8]) throws(Failure) {
        guard isEstablished else {
            waitingPlaintext += plaintext
            return
        }
        var offset = 0
        while offset < plaintext.count {
            let n = plaintext.withUnsafeBytes { SSL_write(ssl, $0.baseAddress! + offset, Int32($0.count - offset)) }
            guard n > 0 else { throw Failure(description: "TLS: cannot write to \(host): \(Self.openSSLErrors())") }
            offset += Int(n)
        }
    }

    /// The bytes to send to the socket now.
    public func takeOutput() -> [UInt8] {
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { BIO_read(writeBIO, $0.baseAddress, Int32($0.count)) }
            guard n > 0 else { return output }
            output += buffer[0..<Int(n)]
        }
    }

    private func handshake() throws(Failure) {
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            isEstablished = true
            let waiting = waitingPlaintext
            waitingPlaintext = []
            try write(waiting)
            return
        }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE { return }
        let verification = SSL_get_verify_result(ssl)
        if verification != X509_V_OK {
            let reason = String(cString: X509_verify_cert_error_string(verification))
            throw Failure(description: "TLS: the certificate of \(host) is not trusted: \(reason)")
        }
        throw Failure(description: "TLS: handshake with \(host) failed: \(Self.openSSLErrors())")
    }

    private static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0 == "." || $0.isNumber }
    }

    /// OpenSSL's queued errors, oldest first, and the queue emptied.
    private static func openSSLErrors() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var buffer = [UInt8](repeating: 0, count: 256)
            buffer.withUnsafeMutableBytes { ERR_error_string_n(code, $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
            reasons.append(String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self))
        }
        return reasons.isEmpty ? "no details" : reasons.joined(separator: "; ")
    }
}
