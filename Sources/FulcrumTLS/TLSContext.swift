import COpenSSL

/// One OpenSSL SSL_CTX: the certificate, protocol bounds, ciphers, ALPN and
/// verification every connection made from it shares. Built once per bind
/// certificate (server) or per `server ... ssl` line (client), never per
/// connection. Connections keep their context alive; the callbacks' argument
/// is this object, unretained, for that reason.
public final class TLSContext: @unchecked Sendable {
    public enum Role: Sendable { case server, client }

    public let role: Role
    public let options: TLSContextOptions
    /// The certificate served (server) or presented when asked (client).
    public let certificate: TLSCertificateChain?
    /// The SSL_CTX*, owned (one reference; connections take their own).
    let ctx: OpaquePointer
    /// `options.alpn` in wire format (length-prefixed), for the callbacks.
    private let alpnWire: [UInt8]
    /// `options.npn` in wire format.
    fileprivate let npnWire: [UInt8]
    /// Picks the context for the client's SNI (nil: no name sent).
    private(set) var serverNameHandler: ((String?) -> TLSContext?)?

    /// The session id context servers stamp on sessions: without one,
    /// OpenSSL refuses to resume sessions when client certificates are
    /// verified. One value for every context, so a session made under one
    /// SNI context resumes under the default one.
    /// HAProxy's own value (its SHCTX_APPNAME, found by resuming across the
    /// two): a ticket made by HAProxy resumes here and the reverse when both
    /// read one `tls-ticket-keys` file, so a migration keeps its sessions.
    private static let sessionIDContext = Array("haproxy".utf8)

    public init(role: Role, options: TLSContextOptions = TLSContextOptions(),
                certificate: TLSCertificateChain? = nil) throws(TLSError) {
        ERR_clear_error()
        guard let ctx = SSL_CTX_new(role == .server ? TLS_server_method() : TLS_client_method()) else {
            throw .drain("creating a TLS context")
        }
        self.ctx = ctx
        self.role = role
        self.options = options
        self.certificate = certificate
        self.alpnWire = Self.wireFormat(options.alpn)
        self.npnWire = Self.wireFormat(options.npn)
        // Fully initialized: on a throw, deinit frees the SSL_CTX.
        try configure()
    }

    /// A server context serving the certificate in `certificateFile`.
    public convenience init(serverCertificateFile certificateFile: String, keyFile: String? = nil,
                            options: TLSContextOptions = TLSContextOptions()) throws(TLSError) {
        try self.init(role: .server, options: options,
                      certificate: TLSCertificateChain(file: certificateFile, keyPath: keyFile))
    }

    deinit { SSL_CTX_free(ctx) }

    private func configure() throws(TLSError) {
        var op = CO_OP_ALL | CO_OP_NO_COMPRESSION | CO_OP_NO_RENEGOTIATION
            | CO_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION | CO_OP_SINGLE_DH_USE | CO_OP_SINGLE_ECDH_USE
        if role == .server && !options.preferClientCiphers { op |= CO_OP_CIPHER_SERVER_PREFERENCE }
        if !options.sessionTickets { op |= CO_OP_NO_TICKET }
        if options.ignoreUnexpectedEOF { op |= CO_OP_IGNORE_UNEXPECTED_EOF }
        _ = co_ctx_set_options(ctx, op)

        // Partial writes: a send returns what one record took, as write(2)
        // would; moving buffer: a retried write may come from another address
        // (the engine keeps unsent bytes in a pooled buffer, not in place).
        var mode = CO_MODE_ENABLE_PARTIAL_WRITE | CO_MODE_ACCEPT_MOVING_WRITE_BUFFER
        if options.releaseBuffers { mode |= CO_MODE_RELEASE_BUFFERS }
        _ = co_ctx_set_mode(ctx, mode)

        if let v = options.minVersion, co_ctx_set_min_proto_version(ctx, v.rawValue) != 1 {
            throw .drain("ssl-min-ver \(v.name)")
        }
        if let v = options.maxVersion, co_ctx_set_max_proto_version(ctx, v.rawValue) != 1 {
            throw .drain("ssl-max-ver \(v.name)")
        }
        if let c = options.ciphers, SSL_CTX_set_cipher_list(ctx, c) != 1 { throw .drain("ciphers '\(c)'") }
        if let c = options.cipherSuites, SSL_CTX_set_ciphersuites(ctx, c) != 1 { throw .drain("ciphersuites '\(c)'") }
        if let c = options.curves, co_ctx_set1_groups_list(ctx, c) != 1 { throw .drain("curves '\(c)'") }

        if let chain = certificate {
            guard SSL_CTX_use_certificate(ctx, chain.leaf.x509) == 1 else { throw .drain("certificate '\(chain.path)'") }
            for x in chain.intermediates where co_ctx_add1_chain_cert(ctx, x.x509) != 1 {
                throw .drain("certificate chain of '\(chain.path)'")
            }
            guard SSL_CTX_use_PrivateKey(ctx, chain.key) == 1, SSL_CTX_check_private_key(ctx) == 1 else {
                throw .drain("private key of '\(chain.path)'")
            }
        }

        if let pem = options.caPEM {
            try loadCAs(pem)
        } else if let ca = options.caFile {
            guard SSL_CTX_load_verify_locations(ctx, ca, nil) == 1 else { throw .drain("ca-file '\(ca)'") }
            if role == .server, options.sendCANames, let names = co_load_client_ca_file(ca) {
                SSL_CTX_set_client_CA_list(ctx, names)
            }
        }
        if let ca = options.caVerifyFile, SSL_CTX_load_verify_locations(ctx, ca, nil) != 1 {
            throw .drain("ca-verify-file '\(ca)'")
        }
        if let crl = options.crlFile {
            guard let store = SSL_CTX_get_cert_store(ctx), X509_STORE_load_file(store, crl) == 1 else {
                throw .drain("crl-file '\(crl)'")
            }
            X509_STORE_set_flags(store, UInt(X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL))
        }
        if let lifetime = options.sessionLifetime { SSL_CTX_set_timeout(ctx, lifetime) }
        if options.systemCAs, SSL_CTX_set_default_verify_paths(ctx) != 1 { throw .drain("the system CA store") }
        SSL_CTX_set_verify(ctx, role == .client && options.verify != .none ? SSL_VERIFY_PEER : options.verify.openSSLFlags, nil)

        switch role {
        case .server:
            // Callbacks that get only the SSL_CTX find this object here.
            _ = co_ctx_set_app_data(ctx, Unmanaged.passUnretained(self).toOpaque())
            let dh = certificate?.dhParameters.map { TLSDiffieHellman.parameters($0) } ?? options.diffieHellman
            if let p = dh?.parameters(forKey: certificate?.key), !p.install(in: ctx) { throw .drain("DH parameters") }
            if !npnWire.isEmpty {
                SSL_CTX_set_next_protos_advertised_cb(ctx, npnAdvertise, Unmanaged.passUnretained(self).toOpaque())
            }
            if options.ocspResponse != nil {
                _ = co_ctx_set_tlsext_status_cb(ctx, ocspStatusCallback)
                _ = co_ctx_set_tlsext_status_arg(ctx, Unmanaged.passUnretained(self).toOpaque())
            }
            if let sct = options.signedCertificateTimestamps {
                // serverinfo v1: extension 18 (signed_certificate_timestamp), its length, the list;
                // OpenSSL sends it in a TLSv1.2 ServerHello to a client that asked (HAProxy's custom extension).
                let info: [UInt8] = [0, 18, UInt8(sct.count >> 8 & 0xff), UInt8(sct.count & 0xff)] + sct
                guard certificate != nil, SSL_CTX_use_serverinfo(ctx, info, info.count) == 1 else { throw .drain("sctl") }
            }
            _ = Self.sessionIDContext.withUnsafeBufferPointer {
                SSL_CTX_set_session_id_context(ctx, $0.baseAddress, UInt32($0.count))
            }
            _ = co_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_SERVER))
            if options.sessionCacheSize > 0 { _ = co_ctx_sess_set_cache_size(ctx, options.sessionCacheSize) }
            if !alpnWire.isEmpty {
                SSL_CTX_set_alpn_select_cb(ctx, alpnSelect, Unmanaged.passUnretained(self).toOpaque())
            }
            // Always installed: it also enforces strict-sni and records SNI
            // switches on the connection.
            _ = co_ctx_set_tlsext_servername_callback(ctx, serverNameCallback)
            _ = co_ctx_set_tlsext_servername_arg(ctx, Unmanaged.passUnretained(self).toOpaque())
        case .client:
            // Clients keep sessions themselves (TLSConnection.session).
            _ = co_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE))
            if !alpnWire.isEmpty {
                let r = alpnWire.withUnsafeBufferPointer { SSL_CTX_set_alpn_protos(ctx, $0.baseAddress, UInt32($0.count)) }
                guard r == 0 else { throw .drain("alpn") }
            }
        }
    }

    /// Trusts every certificate of `pem` (and, as a server, names them in
    /// its certificate request), as a CA file's contents.
    private func loadCAs(_ pem: [UInt8]) throws(TLSError) {
        let store = SSL_CTX_get_cert_store(ctx)
        let added = TLSCertificateChain.withBIO(pem) { bio -> Int in
            var n = 0
            while let x = PEM_read_bio_X509(bio, nil, nil, nil) {
                defer { X509_free(x) }
                guard X509_STORE_add_cert(store, x) == 1 else { return -1 }
                if role == .server { _ = SSL_CTX_add_client_CA(ctx, x) }
                n += 1
            }
            ERR_clear_error() // the end of the PEM reads as "no start line"
            return n
        }
        guard added > 0 else { throw .drain("CA certificates from memory") }
    }

    /// Lets `handler` pick the context for each handshake's SNI (HAProxy's
    /// certificate selection; nil keeps this one, the bind's default, unless
    /// `strictServerName`). Called on the worker's thread, during the
    /// handshake; the chosen context must be a server context.
    public func setServerNameHandler(_ handler: @escaping (String?) -> TLSContext?) {
        serverNameHandler = handler
    }

    /// Sessions the server context's own cache holds now.
    public var cachedSessions: Int { co_ctx_sess_number(ctx) }

    /// Keys tickets are made and read with (`useTicketRing`).
    private(set) var ticketRing: TLSTicketRing?
    /// Where sessions resumed by id are kept (`useSessionStore`).
    private(set) var sessionStore: (any TLSSessionStore)?

    /// Tickets under `ring`'s rotating keys, the same in every worker.
    public func useTicketRing(_ ring: TLSTicketRing) {
        ticketRing = ring
        _ = co_ctx_set_ticket_key_cb(ctx, ticketKeyCallback)
    }

    /// Sessions kept in `store` (shared by the workers) instead of this
    /// context's own cache; nil: no session cache at all (`tune.ssl.cachesize 0`).
    public func useSessionStore(_ store: (any TLSSessionStore)?) {
        precondition(role == .server)
        sessionStore = store
        guard store != nil else {
            _ = co_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_OFF))
            return
        }
        _ = co_ctx_set_session_cache_mode(ctx, Int(SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL))
        SSL_CTX_sess_set_new_cb(ctx, newSessionCallback)
        SSL_CTX_sess_set_get_cb(ctx, getSessionCallback)
        SSL_CTX_sess_set_remove_cb(ctx, removeSessionCallback)
    }

    /// The server's ALPN choice: the first of our protocols the client offered.
    fileprivate func selectALPN(_ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                                _ outlen: UnsafeMutablePointer<UInt8>?,
                                _ client: UnsafePointer<UInt8>?, _ clientLength: UInt32) -> Int32 {
        alpnWire.withUnsafeBufferPointer { ours in
            var chosen: UnsafeMutablePointer<UInt8>? = nil
            var length: UInt8 = 0
            let r = SSL_select_next_proto(&chosen, &length, ours.baseAddress, UInt32(ours.count), client, clientLength)
            guard r == OPENSSL_NPN_NEGOTIATED, let chosen else { return SSL_TLSEXT_ERR_NOACK }
            // `chosen` points into our list (this object outlives the handshake).
            out?.pointee = UnsafePointer(chosen)
            outlen?.pointee = length
            return SSL_TLSEXT_ERR_OK
        }
    }

    /// Length-prefixed protocol names, as ALPN carries them.
    static func wireFormat(_ protocols: [String]) -> [UInt8] {
        var out: [UInt8] = []
        for p in protocols where !p.isEmpty && p.utf8.count < 256 {
            out.append(UInt8(p.utf8.count))
            out.append(contentsOf: p.utf8)
        }
        return out
    }
}

private func alpnSelect(_ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                        _ outlen: UnsafeMutablePointer<UInt8>?, _ client: UnsafePointer<UInt8>?,
                        _ clientLength: UInt32, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let arg else { return SSL_TLSEXT_ERR_NOACK }
    return Unmanaged<TLSContext>.fromOpaque(arg).takeUnretainedValue().selectALPN(out, outlen, client, clientLength)
}

/// SNI: asks the default context's handler for a context and switches the
/// connection to it (certificate, verify mode and CA names follow, as in
/// HAProxy's ssl_sock_switchctx_cbk).
private func serverNameCallback(_ ssl: OpaquePointer?, _ alert: UnsafeMutablePointer<Int32>?,
                                _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let ssl, let arg else { return SSL_TLSEXT_ERR_OK }
    let context = Unmanaged<TLSContext>.fromOpaque(arg).takeUnretainedValue()
    let name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name).map { String(cString: $0) }
    guard let handler = context.serverNameHandler else { return SSL_TLSEXT_ERR_OK }
    guard let chosen = handler(name), chosen.role == .server else {
        if context.options.strictServerName {
            alert?.pointee = SSL_AD_UNRECOGNIZED_NAME
            return SSL_TLSEXT_ERR_ALERT_FATAL
        }
        return SSL_TLSEXT_ERR_OK
    }
    guard chosen !== context else { return SSL_TLSEXT_ERR_OK }
    TLSConnection.from(ssl)?.switchContext(to: chosen)
    SSL_set_SSL_CTX(ssl, chosen.ctx)
    SSL_set_verify(ssl, SSL_CTX_get_verify_mode(chosen.ctx), nil)
    if let names = SSL_CTX_get_client_CA_list(chosen.ctx), let copy = SSL_dup_CA_list(names) {
        SSL_set_client_CA_list(ssl, copy)
    }
    return SSL_TLSEXT_ERR_OK
}

/// NPN: the server announces its protocol list (the client picks).
private func npnAdvertise(_ ssl: OpaquePointer?, _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
                          _ outlen: UnsafeMutablePointer<UInt32>?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let arg else { return SSL_TLSEXT_ERR_NOACK }
    let context = Unmanaged<TLSContext>.fromOpaque(arg).takeUnretainedValue()
    // The list lives as long as the context, which outlives the handshake.
    context.npnWire.withUnsafeBufferPointer {
        out?.pointee = $0.baseAddress
        outlen?.pointee = UInt32($0.count)
    }
    return SSL_TLSEXT_ERR_OK
}

/// OCSP stapling: a client that sent status_request gets the context's
/// response (OpenSSL frees the copy it is handed).
private func ocspStatusCallback(_ ssl: OpaquePointer?, _ arg: UnsafeMutableRawPointer?) -> Int32 {
    guard let ssl, let arg,
          let response = Unmanaged<TLSContext>.fromOpaque(arg).takeUnretainedValue().options.ocspResponse,
          let copy = CRYPTO_malloc(response.count, nil, 0) else { return SSL_TLSEXT_ERR_NOACK }
    response.withUnsafeBytes { copy.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    _ = co_set_tlsext_status_ocsp_resp(ssl, copy.assumingMemoryBound(to: UInt8.self), response.count)
    return SSL_TLSEXT_ERR_OK
}
