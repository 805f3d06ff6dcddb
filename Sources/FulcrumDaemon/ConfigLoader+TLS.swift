import Glibc
import FulcrumConfig
import FulcrumPosix
import FulcrumProxy
import FulcrumTLS

/// The filesystem behind the configuration's TLS files (FulcrumConfig reads
/// them through this, HAProxy's messages are its own).
struct FileSystemTLSReader: TLSFileReader {
    func statError(_ path: String) -> String? {
        var st = stat()
        return stat(path, &st) == 0 ? nil : String(cString: strerror(errno))
    }
    func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
    func entries(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let e = readdir(dir) {
            let name = withUnsafePointer(to: e.pointee.d_name) { $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) } }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
    func read(_ path: String) -> Result<String, TLSFileError> {
        do { return .success(String(decoding: try ConfigLoader.readBytes(path), as: UTF8.self)) } catch {
            return .failure(TLSFileError(String(cString: strerror(error.rawValue))))
        }
    }
}

extension ConfigLoader {
    /// Reads the TLS files the binds name and builds each TLS bind's contexts
    /// (certificates and keys loaded, settings applied): a certificate that
    /// does not load is a configuration error, in the master (`-c`, reload)
    /// as in the workers, which serve these contexts.
    static func loadTLS(_ loaded: inout LoadedConfiguration) {
        loaded.diagnostics += TLSFiles.load(&loaded.configuration, reader: FileSystemTLSReader())
        guard !loaded.hasErrors else { return }
        let global = loaded.configuration.global.tls
        // HAProxy: `ssl-dh-param-file` over `tune.ssl.default-dh-param` (a
        // certificate's own parameters come first, in TLSContext).
        var diffieHellman = global.defaultDHParam.map { TLSDiffieHellman.upTo(bits: $0) }
        if let file = global.dhParamFile {
            guard let bytes = try? readBytes(file), let p = TLSDHParameters(pem: bytes) else {
                loaded.diagnostics.append(Diagnostic(.alert, nil, "'ssl-dh-param-file': unable to load DH parameters from file <\(file)>."))
                return
            }
            diffieHellman = .parameters(p)
        }
        loaded.serverTLS = loaded.configuration.backends.map { b in
            b.servers.map { server -> TLSServerContext? in
                guard server.params.tls.enabled else { return nil }
                do { return try TLSServerContext(server, global: global) } catch {
                    let message = (error as? TLSServerContext.SetupError)?.message ?? "\(error)"
                    loaded.diagnostics.append(Diagnostic(.alert, server.location, message))
                    return nil
                }
            }
        }
        loaded.bindTLS = loaded.configuration.frontends.map { f in
            f.binds.map { bind -> TLSBindContexts? in
                guard bind.tls.enabled else { return nil }
                // Announcing h2 would have clients speak HTTP/2, which mode http does not serve yet.
                if f.mode == .http, bind.tls.certificates.contains(where: { $0.settings.alpn?.contains("h2") ?? false }) {
                    loaded.diagnostics.append(Diagnostic(.alert, bind.location,
                        "'alpn' announces 'h2' on a mode http frontend: HTTP/2 is not supported yet (announce http/1.1 only)"))
                    return nil
                }
                do {
                    let contexts = try TLSBindContexts(bind, global: global, diffieHellman: diffieHellman)
                    loaded.diagnostics += contexts.warnings.map { Diagnostic(.warning, bind.location, $0) }
                    return contexts
                } catch {
                    let message = (error as? TLSBindContexts.SetupError)?.message ?? "\(error)"
                    loaded.diagnostics.append(Diagnostic(.alert, bind.location, message))
                    return nil
                }
            }
        }
    }
}
