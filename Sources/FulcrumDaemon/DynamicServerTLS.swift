import FulcrumConfig

/// `add server ... ssl` and its TLS options, checked as HAProxy 2.6 checks a
/// dynamic server's: a `ca-file`, `crl-file` or `crt` must be one the
/// configuration loaded already (HAProxy looks them up in its stores and
/// reads no new file at run time), and verification without a CA file is
/// refused with its message. Every worker then builds the server's TLS
/// context from the same files when it reads the slot.
enum DynamicServerTLS {
    /// The files the configuration's TLS settings name (servers and binds).
    static func loadedFiles(_ c: Configuration) -> (caFiles: Set<String>, certificates: Set<String>) {
        var ca: Set<String> = [], crt: Set<String> = []
        for b in c.backends {
            for s in b.servers {
                let t = s.params.tls
                for f in [t.caFile, t.crlFile].compactMap({ $0 }) { ca.insert(f) }
                if let f = t.certificate { crt.insert(f) }
            }
        }
        for f in c.frontends {
            for bind in f.binds {
                let s = bind.tls.settings
                for file in [s.caFile, s.caVerifyFile, s.crlFile].compactMap({ $0 }) { ca.insert(file) }
                for case .file(let path) in bind.tls.sources { crt.insert(path) }
                for cert in bind.tls.certificates { crt.insert(cert.path) }
            }
        }
        return (ca, crt)
    }

    /// HAProxy's answer refusing the server's TLS settings, nil when they pass.
    static func refusal(_ server: Server, configuration c: Configuration) -> String? {
        let tls = server.params.tls
        guard tls.used || tls.caFile != nil || tls.crlFile != nil || tls.certificate != nil else { return nil }
        let loaded = loadedFiles(c)
        if let f = tls.caFile, !loaded.caFiles.contains(f) { return "'ca-file' : unable to load \(f).\n" }
        if let f = tls.crlFile, !loaded.caFiles.contains(f) { return "'crl-file' : unable to load \(f).\n" }
        if let f = tls.certificate, !loaded.certificates.contains(f) { return "unable to stat SSL certificate '\(f)'.\n" }
        let global = c.global.tls
        if tls.enabled, (tls.verify ?? global.serverVerify) == .required, tls.caFile == nil {
            if global.serverVerify == .required {
                return "verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default.\n"
            }
            return "verify is enabled but no CA file specified.\n"
        }
        return nil
    }
}
