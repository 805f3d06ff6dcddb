import Glibc
import FulcrumConfig
import FulcrumCore
import FulcrumPosix
import FulcrumProxy

/// Reads configuration files and directories, parses them, and checks what
/// needs the system (address resolution). The result is what every process of
/// a generation serves.
struct LoadedConfiguration {
    var sources: [ConfigSource]
    var configuration: Configuration
    var diagnostics: [Diagnostic]
    /// Per backend, per server.
    var serverAddresses: [[SocketAddress]]
    /// Per frontend, per bind, per address: nil for inherited `fd@N`.
    var bindAddresses: [[[SocketAddress?]]]
    /// Per frontend: `errorfile` responses (status → bytes sent as is), read
    /// here so a missing file is a load error and workers need no filesystem.
    var errorFiles: [[Int: [UInt8]]] = []
    var backendErrorFiles: [[Int: [UInt8]]] = []
    /// Compiled mode-http rules (regexes, ACLs) per frontend and per backend;
    /// nil for tcp proxies.
    var frontendRules: [HTTPCompiledRules?] = []
    var backendRules: [HTTPCompiledRules?] = []
    /// Compiled mode-tcp content inspection and use_backend rules per
    /// frontend and per backend; nil where a proxy has none.
    var frontendTCPRules: [TCPCompiledRules?] = []
    var frontendConnectionRules: [TCPConnectionCompiledRules?] = []
    /// Per frontend: its `tcp-request session` rules (nil: none).
    var frontendSessionRules: [TCPConnectionCompiledRules?] = []
    /// Per backend: its `use-server` / `force-persist` / `ignore-persist` rules (nil: none).
    var backendServerRules: [ServerRulesCompiled?] = []
    var backendTCPRules: [TCPCompiledRules?] = []
    /// Per backend: its `tcp-response content` rules (mode tcp).
    var backendTCPResponseRules: [TCPCompiledRules?] = []
    /// Per backend: its `stick` rules compiled (nil: none).
    var backendStickRules: [StickCompiledRules?] = []
    /// Compiled log formats per frontend (nil: no `log` target).
    var frontendLogs: [CompiledProxyLog?] = []
    /// Per frontend, per bind: the TLS contexts of `bind ... ssl` lines.
    var bindTLS: [[TLSBindContexts?]] = []
    /// Per backend, per server: the TLS of `server ... ssl` lines.
    var serverTLS: [[TLSServerContext?]] = []
    /// ACL and map files and ACL lines' inline patterns: every process has
    /// its own store (a worker's from the texts in the configuration blob);
    /// the master's runtime changes reach the workers' on the control channel.
    var patterns: PatternStore? = nil
    /// The pattern files' texts as read (path → text): the configuration
    /// blob carries them, so workers and a re-executed master load what the
    /// master validated, whatever the files say later.
    var patternFiles: [String: String] = [:]
    /// The files keepalived `include` lines read, by `KeepalivedIncludeFiles.key`:
    /// carried in the blob like the pattern files.
    var includedFiles: [String: [ConfigSource]] = [:]
    var hasErrors: Bool { diagnostics.contains { $0.severity == .alert } }
}

enum ConfigLoader {
    /// The command line's say in how a configuration loads (-dr, -dV, -N,
    /// -n). Every process of a daemon parses the same flags (the master passes
    /// them on to its children), so it is set once per process, in `main`,
    /// and every load in that process (start, reload, re-exec) honours it.
    nonisolated(unsafe) static var commandLine = CommandLineOverrides()

    /// `-f FILE|DIR`: a directory contributes its *.cfg files in lexical order.
    static func readSources(_ paths: [String]) -> (sources: [ConfigSource], errors: [Diagnostic]) {
        var sources: [ConfigSource] = []
        var errors: [Diagnostic] = []
        for path in paths {
            var st = stat()
            guard stat(path, &st) == 0 else {
                errors.append(Diagnostic(.alert, nil, "Cannot open configuration file/directory \(path) : \(Errno.current)"))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                guard let dir = opendir(path) else {
                    errors.append(Diagnostic(.alert, nil, "Cannot open configuration directory \(path) : \(Errno.current)"))
                    continue
                }
                var names: [String] = []
                while let entry = readdir(dir) {
                    let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
                    if name.hasSuffix(".cfg") && !name.hasPrefix(".") { names.append(name) }
                }
                closedir(dir)
                for name in names.sorted() {
                    let full = path.hasSuffix("/") ? path + name : path + "/" + name
                    if let s = readFile(full, &errors) { sources.append(s) }
                }
            } else if let s = readFile(path, &errors) {
                sources.append(s)
            }
        }
        return (sources, errors)
    }

    private static func readFile(_ path: String, _ errors: inout [Diagnostic]) -> ConfigSource? {
        do {
            return ConfigSource(name: path, text: String(decoding: try readBytes(path), as: UTF8.self), isFile: true)
        } catch {
            errors.append(Diagnostic(.alert, nil, "Cannot open configuration file \(path) : \(error)"))
            return nil
        }
    }

    static func load(paths: [String]) -> LoadedConfiguration {
        let (sources, readErrors) = readSources(paths)
        return load(sources: sources, extraDiagnostics: readErrors)
    }

    /// - checkBinds: the master checks bind addresses and inherited `fd@N`
    ///   sockets; a worker receives its sockets ready-made (and its own fd 3 is
    ///   the control channel, not the operator's socket), so it skips this.
    static func load(sources: [ConfigSource], extraDiagnostics: [Diagnostic] = [], checkBinds: Bool = true,
                     patternFiles: [String: String]? = nil,
                     includedFiles: [String: [ConfigSource]]? = nil) -> LoadedConfiguration {
        var environment = ProcessSpawner.environmentDictionary()
        if environment[KeepalivedParser.configIDVariable] == nil {
            // keepalived's default config id: the host name up to its first '.'.
            environment[KeepalivedParser.configIDVariable] = String(SMTPAlert.localName().split(separator: ".").first ?? "")
        }
        let includes = KeepalivedIncludeFiles(recorded: includedFiles)
        let result = ConfigParser.parse(sources, environment: environment, tls: .workers,
                                        serverVerifyNone: commandLine.serverVerifyNone, includes: includes.resolver)
        var diags = extraDiagnostics + result.diagnostics
        var c = result.configuration
        commandLine.apply(to: &c)
        diags += unsentLogging(c)
        var pathError: String? = nil
        let directory = DefaultPathDirectory(c.global.defaultPath, error: &pathError)
        defer { directory.leave() }
        if let pathError { diags.append(Diagnostic(.alert, nil, pathError)) }
        var servers: [[SocketAddress]] = []
        var addressFailed = false
        var binds: [[[SocketAddress?]]] = []
        if !result.hasErrors {
            for (bi, b) in c.backends.enumerated() {
                var list: [SocketAddress] = []
                for (si, s) in b.servers.enumerated() {
                    if let unix = s.unix {
                        switch unix {
                        case .abstract(let name): list.append(SocketAddress(abstractName: name) ?? SocketAddress(storage: .init(), length: 0))
                        case .unix(let path): list.append(SocketAddress(unixPath: path) ?? SocketAddress(storage: .init(), length: 0))
                        default: list.append(SocketAddress(storage: .init(), length: 0))
                        }
                    } else if let a = initialAddress(s) {
                        // nil inside: `init-addr none`, no address (RMAINT, Generation+Resolvers).
                        list.append(a ?? SocketAddress(storage: .init(), length: 0))
                    } else if commandLine.ignoreResolveFailures {
                        // -dr: HAProxy's `init-addr none`: no address, in maintenance.
                        diags.append(Diagnostic(.warning, s.location,
                            "'server \(b.name)/\(s.name)' : could not resolve address '\(s.host)', disabling server (-dr)."))
                        c.backends[bi].servers[si].params.disabled = true
                        list.append(SocketAddress(storage: .init(), length: 0))
                    } else {
                        // haproxy 2.6's words (srv_iterate_initaddr), then its summary once.
                        diags.append(Diagnostic(.alert, s.location,
                            "'server \(b.name)/\(s.name)' : could not resolve address '\(s.host)'."))
                        addressFailed = true
                        list.append(SocketAddress(storage: .init(), length: 0))
                    }
                }
                servers.append(list)
            }
            if addressFailed { diags.append(Diagnostic(.alert, nil, "Failed to initialize server(s) addr.")) }
            for f in c.frontends where checkBinds {
                var perBind: [[SocketAddress?]] = []
                for bind in f.binds {
                    if bind.unixUser != nil || bind.unixGroup != nil,
                       let error = Privileges.resolve(user: bind.unixUser, group: bind.unixGroup).error {
                        diags.append(Diagnostic(.alert, bind.location, "bind '\(bind.spec)' for frontend '\(f.name)': \(error)"))
                    }
                    var addrs: [SocketAddress?] = []
                    for a in bind.addresses {
                        switch a {
                        case .inheritedFD(let n):
                            if !Socket.isListeningStream(FileDescriptor(n)) {
                                diags.append(Diagnostic(.alert, bind.location,
                                    "bind 'fd@\(n)' for frontend '\(f.name)': file descriptor \(n) is not a listening socket"))
                            }
                            addrs.append(nil)
                        case .unix, .abstract:
                            addrs.append(nil)
                        case .inet(let host, let port):
                            if let sa = SocketAddress.resolve(host: host, port: port) { addrs.append(sa) } else {
                                diags.append(Diagnostic(.alert, bind.location,
                                    "cannot parse or resolve bind address '\(host)' for frontend '\(f.name)'"))
                                addrs.append(nil)
                            }
                        }
                    }
                    perBind.append(addrs)
                }
                binds.append(perBind)
            }
        }
        var errorFiles: [[Int: [UInt8]]] = []
        var backendPages: [[Int: [UInt8]]] = []
        if !result.hasErrors {
            errorFiles = c.frontends.map { errorPages($0.http, location: $0.location, name: $0.name, &diags) }
            backendPages = c.backends.map { errorPages($0.http, location: $0.location, name: $0.name, &diags) }
        }
        var loaded = LoadedConfiguration(sources: sources, configuration: c, diagnostics: diags,
                                         serverAddresses: servers, bindAddresses: binds)
        loaded.includedFiles = includes.read
        loaded.errorFiles = errorFiles
        loaded.backendErrorFiles = backendPages
        if !loaded.hasErrors { loadTLS(&loaded) }
        if !loaded.hasErrors { loadPatterns(&loaded, from: patternFiles) }
        if !loaded.hasErrors && checkBinds { loaded.diagnostics += vrrpInterfaceErrors(loaded.configuration.vrrp) }
        if !loaded.hasErrors && checkBinds { loaded.diagnostics += bgpInterfaceErrors(loaded.configuration.bgp) }
        return loaded
    }
}

/// The configuration text handed to children through a memfd: length-prefixed
/// (name, text) pairs. Children parse the very bytes the master validated.
enum ConfigBlob {
    /// Names a pattern file's entry (a configuration file's name never holds a NUL).
    static let patternPrefix = "\u{0}pattern "

    /// Names an included file's entry: the prefix, the include's key, a NUL, the file's name.
    static let includePrefix = "\u{0}include "
    /// Names an include that matched no file (its key alone).
    static let emptyIncludePrefix = "\u{0}include-none "

    /// The sources, then the pattern files as entries named with
    /// `patternPrefix`, then the files keepalived `include` lines read.
    static func encode(_ sources: [ConfigSource], patternFiles: [String: String],
                       includedFiles: [String: [ConfigSource]] = [:]) -> [UInt8] {
        var all = sources + patternFiles.sorted { $0.key < $1.key }.map { ConfigSource(name: patternPrefix + $0.key, text: $0.value) }
        for (key, files) in includedFiles.sorted(by: { $0.key < $1.key }) {
            // An include that matched nothing still travels, so children say the same.
            if files.isEmpty { all.append(ConfigSource(name: emptyIncludePrefix + key, text: "")) }
            for f in files { all.append(ConfigSource(name: includePrefix + key + "\u{0}" + f.name, text: f.text)) }
        }
        return encode(all)
    }

    /// `encode(_:patternFiles:includedFiles:)` undone.
    static func decodeWithPatterns(_ bytes: [UInt8])
        -> (sources: [ConfigSource], patternFiles: [String: String], includedFiles: [String: [ConfigSource]])? {
        guard let all = decode(bytes) else { return nil }
        var files: [String: String] = [:]
        var included: [String: [ConfigSource]] = [:]
        var sources: [ConfigSource] = []
        for s in all {
            if s.name.hasPrefix(patternPrefix) {
                files[String(s.name.dropFirst(patternPrefix.count))] = s.text
            } else if s.name.hasPrefix(emptyIncludePrefix) {
                included[String(s.name.dropFirst(emptyIncludePrefix.count)), default: []] += []
            } else if s.name.hasPrefix(includePrefix), let nul = s.name.lastIndex(of: "\u{0}") {
                // The key holds a NUL of its own; a file name never does.
                let key = s.name[s.name.index(s.name.startIndex, offsetBy: includePrefix.count)..<nul]
                included[String(key), default: []].append(ConfigSource(name: String(s.name[s.name.index(after: nul)...]), text: s.text, isFile: true))
            } else {
                sources.append(s)
            }
        }
        return (sources, files, included)
    }

    static func encode(_ sources: [ConfigSource]) -> [UInt8] {
        var out: [UInt8] = []
        func put(_ s: String) {
            let b = Array(s.utf8)
            withUnsafeBytes(of: UInt32(b.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(contentsOf: b)
        }
        for s in sources { put(s.name); put(s.text) }
        return out
    }

    static func decode(_ bytes: [UInt8]) -> [ConfigSource]? {
        var i = 0
        func get() -> String? {
            guard i + 4 <= bytes.count else { return nil }
            let n = Int(UInt32(bytes[i]) | UInt32(bytes[i+1]) << 8 | UInt32(bytes[i+2]) << 16 | UInt32(bytes[i+3]) << 24)
            i += 4
            guard i + n <= bytes.count else { return nil }
            defer { i += n }
            return String(decoding: bytes[i..<(i + n)], as: UTF8.self)
        }
        var out: [ConfigSource] = []
        while i < bytes.count {
            guard let name = get(), let text = get() else { return nil }
            out.append(ConfigSource(name: name, text: text))
        }
        return out
    }
}

extension ConfigLoader {
    /// What of the logging configuration no role carries out yet: a `ring`
    /// section without servers is refused at its line instead of being
    /// accepted and silently doing nothing.
    static func unsentLogging(_ c: Configuration) -> [Diagnostic] {
        var out: [Diagnostic] = []
        // A ring forwards to its servers; one without any would only hold
        // lines for `show events`, which the runtime API does not serve yet.
        for ring in c.rings where ring.servers.isEmpty {
            out.append(Diagnostic(.alert, ring.location,
                                  "ring '\(ring.name)' has no server: 'show events' is not supported yet, so nothing would read it"))
        }
        return out
    }

    /// Reads the ACL and map files, compiles the rules against them (the
    /// converters and ACLs hold their indexes), then checks every file
    /// entry against the expressions that read it.
    static func loadPatterns(_ loaded: inout LoadedConfiguration, from files: [String: String]?) {
        let store = PatternStore(loaded.configuration.patternReferences)
        var read: [String: String] = [:]
        loaded.diagnostics += store.load { path in
            let text = files.map { $0[path] } ?? (try? readBytes(path)).map { String(decoding: $0, as: UTF8.self) }
            read[path] = text
            return text
        }
        loaded.patternFiles = read
        loaded.patterns = store
        guard !loaded.hasErrors else { return }
        PatternStore.$compiling.withValue(store) { compileRules(&loaded) }
        if !loaded.hasErrors { loaded.diagnostics += store.validate() }
    }

    /// Compiles every mode-http proxy's ACLs and rules (regexes once, `return
    /// file` bodies read now); a failure is a configuration error.
    static func compileRules(_ loaded: inout LoadedConfiguration) {
        let c = loaded.configuration
        func compile(_ name: String, _ mode: ProxyMode, _ settings: HTTPProxySettings, _ pages: [Int: [UInt8]],
                     _ location: SourceLocation) -> HTTPCompiledRules? {
            guard mode == .http else { return nil }
            do {
                let acls = try ACLSet(settings.acls, userlists: c.userlists, crypt: { Crypt.hash($0, salt: $1) })
                return try HTTPCompiledRules(proxyName: name, settings: settings, acls: acls, errorPages: pages,
                                             loadFile: { try readBytes($0) }, caches: c.caches)
            } catch {
                loaded.diagnostics.append(Diagnostic(.alert, location, "proxy '\(name)': \(error)"))
                return nil
            }
        }
        loaded.frontendRules = c.frontends.enumerated().map { (i, f) in
            compile(f.name, f.tcpContent.switchesToHTTP ? .http : f.mode, f.http, i < loaded.errorFiles.count ? loaded.errorFiles[i] : [:], f.location)
        }
        loaded.backendRules = c.backends.map { b in compile(b.name, b.mode, b.http, [:], b.location) }
        func compileTCP(_ name: String, _ mode: ProxyMode, _ content: TCPContentRules, _ http: HTTPProxySettings,
                        _ location: SourceLocation) -> TCPCompiledRules? {
            guard mode == .tcp, !content.isEmpty || !http.useBackends.isEmpty else { return nil }
            do {
                return try TCPCompiledRules(content: content, http: http, userlists: c.userlists, crypt: { Crypt.hash($0, salt: $1) },
                                            proxyName: name)
            } catch {
                loaded.diagnostics.append(Diagnostic(.alert, location, "proxy '\(name)': \(error)"))
                return nil
            }
        }
        loaded.frontendTCPRules = c.frontends.map { f in compileTCP(f.name, f.mode, f.tcpContent, f.http, f.location) }
        loaded.backendTCPRules = c.backends.map { b in
            var h = b.http
            h.useBackends = []   // a backend does not switch
            return compileTCP(b.name, b.mode, b.tcpContent, h, b.location)
        }
        loaded.backendTCPResponseRules = c.backends.map { b in
            guard !b.tcpResponse.isEmpty else { return nil }
            var h = b.http
            h.useBackends = []
            return compileTCP(b.name, b.mode, b.tcpResponse, h, b.location)
        }
        func compileLayer(_ f: Frontend, _ rules: TCPConnectionRules) -> TCPConnectionCompiledRules? {
            guard !rules.isEmpty else { return nil }
            do {
                return try TCPConnectionCompiledRules(rules, http: f.http, userlists: c.userlists,
                                                      crypt: { Crypt.hash($0, salt: $1) }, proxyName: f.name)
            } catch {
                loaded.diagnostics.append(Diagnostic(.alert, f.location, "proxy '\(f.name)': \(error)"))
                return nil
            }
        }
        loaded.frontendConnectionRules = c.frontends.map { compileLayer($0, $0.tcpConnection) }
        loaded.frontendSessionRules = c.frontends.map { compileLayer($0, $0.tcpSession) }
        loaded.backendServerRules = c.backends.map { b in
            guard !b.serverRules.isEmpty else { return nil }
            do {
                return try ServerRulesCompiled(b.serverRules, servers: b.servers.map(\.name), http: b.http,
                                               userlists: c.userlists, crypt: { Crypt.hash($0, salt: $1) })
            } catch {
                loaded.diagnostics.append(Diagnostic(.alert, b.location, "proxy '\(b.name)': \(error)"))
                return nil
            }
        }
        loaded.backendStickRules = c.backends.map { b in
            guard !b.stickRules.isEmpty else { return nil }
            // `srvkey addr` records a server's address, `name` (the default) its name.
            let byAddress = c.stickTable(named: b.stickRules[0].table).map { c.stickTables[$0].serverKey == .addr } ?? false
            let keys = b.servers.map { byAddress ? "\($0.host):\($0.port ?? 0)" : $0.name }
            do {
                return try StickCompiledRules(b, serverKeys: keys, userlists: c.userlists, crypt: { Crypt.hash($0, salt: $1) })
            } catch {
                loaded.diagnostics.append(Diagnostic(.alert, b.location, "proxy '\(b.name)': \(error)"))
                return nil
            }
        }
        loaded.frontendLogs = c.frontends.map { f in
            guard !f.logging.targets.isEmpty || f.logging.uniqueIDFormat != nil else { return nil }
            do { return try CompiledProxyLog(f.logging) } catch {
                loaded.diagnostics.append(Diagnostic(.alert, f.location, "proxy '\(f.name)': \(error)"))
                return nil
            }
        }
    }
}

extension ConfigLoader {
    /// `http-error status N [content-type T] [string S|file F]`: complete
    /// responses built once at load (an `errorfile` for the same status,
    /// read afterwards, replaces it: the last line wins in HAProxy too).
    static func httpErrorPages(_ h: HTTPProxySettings, location: SourceLocation, name: String,
                               _ diags: inout [Diagnostic]) -> [Int: [UInt8]] {
        var pages: [Int: [UInt8]] = [:]
        for (status, r) in h.errorResponses {
            var body: [UInt8] = []
            switch r.body {
            case .none: break
            case .string(let lf): body = Array(lf.text.utf8)
            case .file(let path):
                do { body = try readBytes(path) } catch {
                    diags.append(Diagnostic(.alert, location, "http-error \(status) file '\(path)' for '\(name)': \(error)"))
                    continue
                }
            }
            pages[status] = HTTPGeneratedResponse.reply(status: status, contentType: r.contentType, body: body, fields: [],
                                                        connection: (field: nil, close: false))
        }
        return pages
    }

    /// A proxy's error responses: `http-error` pages, then `errorfile`s
    /// (bytes sent as is) over them.
    static func errorPages(_ h: HTTPProxySettings, location: SourceLocation, name: String,
                           _ diags: inout [Diagnostic]) -> [Int: [UInt8]] {
        var pages = httpErrorPages(h, location: location, name: name, &diags)
        for (status, redirect) in h.errorRedirects { pages[status] = redirect.response }
        for (status, path) in h.errorFiles {
            do { pages[status] = try readBytes(path) } catch {
                diags.append(Diagnostic(.alert, location, "errorfile \(status) '\(path)' for '\(name)': \(error)"))
            }
        }
        return pages
    }

    /// A whole file's bytes.
    static func readBytes(_ path: String) throws(Errno) -> [UInt8] {
        let fd = try FileDescriptor.open(path, flags: O_RDONLY)
        defer { fd.close() }
        return try fd.readAll()
    }
}
