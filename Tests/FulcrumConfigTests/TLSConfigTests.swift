import XCTest
@testable import FulcrumConfig

/// TLS keywords on bind, server and global lines: values, HAProxy 2.6's
/// defaults and messages (observed with `haproxy -c` 2.6.12), and the
/// load-time refusal while the workers do not serve TLS.
final class TLSConfigTests: XCTestCase {
    func tls(_ text: String) -> ParseResult {
        ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:], tls: .all)
    }
    func frontend(_ bind: String, global: String = "") -> ParseResult {
        tls("global\n" + global + "\n" + tcpDefaults + "frontend f\n  bind :8443 \(bind)\n  default_backend b\nbackend b\n  server s 127.0.0.1:80\n")
    }
    func server(_ options: String, global: String = "") -> ParseResult {
        tls("global\n" + global + "\n" + tcpDefaults + "backend b\n  server s 127.0.0.1:80 \(options)\n")
    }
    func bindTLS(_ r: ParseResult) -> BindTLS? { r.configuration.frontends.first?.binds.first?.tls }
    func serverTLS(_ r: ParseResult) -> ServerTLS? { r.configuration.backends.first?.servers.first?.params.tls }

    // MARK: Refusal

    func testEveryTLSKeywordIsRefusedAtItsLineUntilServed() {
        let text = "global\n  ssl-default-bind-ciphers HIGH\n" + tcpDefaults
            + "frontend f\n  bind :443 ssl crt /x.pem\n  default_backend b\nbackend b\n  server s 10.0.0.1:443 ssl verify none\n"
        let r = parse(text)
        XCTAssertEqual(r.alerts.map(\.message), ["ssl-default-bind-ciphers", "ssl", "crt", "ssl", "verify"].map {
            "'\($0)' is parsed but TLS is not supported yet (the workers do not serve it)"
        })
        XCTAssertEqual(r.alerts.map { "\($0.location!.line):\($0.location!.column)" }, ["2:3", "10:13", "10:17", "13:25", "13:29"])
        // The model is built all the same, and nothing else is wrong with it.
        XCTAssertEqual(r.configuration.frontends.first?.binds.first?.tls.enabled, true)
        XCTAssertEqual(tls(text).alerts, [])
    }

    func testDefaultServerKeywordsAreRefusedOnce() {
        let r = parse(tcpDefaults + "backend b\n  default-server ssl verify none\n  server s1 10.0.0.1:443\n  server s2 10.0.0.2:443\n")
        XCTAssertEqual(r.alerts.count, 2, "\(r.alerts)")
        XCTAssertEqual(r.configuration.backends.first?.servers.map(\.params.tls.enabled), [true, true])
    }

    // MARK: Bind lines

    func testBindOptions() throws {
        let r = frontend("ssl crt a.pem crt-list /l.txt ca-file ca.pem crl-file crl.pem ca-verify-file /v.pem verify optional alpn h2,http/1.1 ciphers HIGH ciphersuites TLS_AES_128_GCM_SHA256 curves X25519:P-256 ecdhe prime256v1 ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 prefer-client-ciphers strict-sni no-tls-tickets tls-ticket-keys /k allow-0rtt no-ca-names npn h2",
                         global: "  crt-base /etc/crt\n  ca-base /etc/ca")
        XCTAssertEqual(r.alerts, [])
        let t = try XCTUnwrap(bindTLS(r))
        XCTAssertTrue(t.enabled)
        XCTAssertEqual(t.sources, [.file("/etc/crt/a.pem"), .list("/l.txt")], "crt-base for crt, not for the crt-list's own path")
        XCTAssertEqual(t.settings.caFile, "/etc/ca/ca.pem")
        XCTAssertEqual(t.settings.crlFile, "/etc/ca/crl.pem")
        XCTAssertEqual(t.settings.caVerifyFile, "/v.pem")
        XCTAssertEqual(t.settings.verify, .optional)
        XCTAssertEqual(t.settings.alpn, ["h2", "http/1.1"])
        XCTAssertEqual(t.settings.npn, ["h2"])
        XCTAssertEqual(t.settings.ciphers, "HIGH")
        XCTAssertEqual(t.settings.ciphersuites, "TLS_AES_128_GCM_SHA256")
        XCTAssertEqual(t.settings.curves, "X25519:P-256")
        XCTAssertEqual(t.settings.ecdhe, "prime256v1")
        XCTAssertEqual(t.settings.versions.min, .tls12)
        XCTAssertEqual(t.settings.versions.max, .tls13)
        XCTAssertTrue(t.preferClientCiphers && t.strictSNI && t.noTLSTickets && t.settings.allow0RTT && t.settings.noCANames)
        XCTAssertEqual(t.ticketKeysFile, "/k")
    }

    func testCertificatesWithoutSSLAreKeptButTheListenerIsPlain() {
        let r = frontend("crt /a.pem")
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(bindTLS(r)?.enabled, false)
        XCTAssertEqual(bindTLS(r)?.sources, [.file("/a.pem")])
    }

    func testBindErrorsAsHAProxyWordsThem() {
        let cases: [(String, String)] = [
            ("ssl crt", "'crt' : missing certificate location"),
            ("ssl crt-list", "'crt-list' : missing certificate location"),
            ("ssl crt /a verify bogus", "'verify' : unknown verify method 'bogus', only 'none', 'optional', and 'required' are supported"),
            ("ssl crt /a verify", "'verify' : missing verify method"),
            ("ssl crt /a ssl-min-ver TLSv1.4", "'TLSv1.4' : unknown ssl/tls version"),
            ("ssl crt /a ssl-min-ver sslv3", "'sslv3' : unknown ssl/tls version"),
            ("ssl crt /a ssl-max-ver", "'ssl-max-ver' : missing the ssl/tls version"),
            ("ssl crt /a alpn", "'alpn' : missing the comma-delimited ALPN protocol suite"),
            ("ssl crt /a ciphers", "'ciphers' : missing cipher suite"),
            ("ssl crt /a ciphersuites", "'ciphersuites' : missing cipher suite"),
            ("ssl crt /a curves", "'curves' : missing curve suite"),
            ("ssl crt /a ecdhe", "'ecdhe' : missing named curve"),
            ("ssl crt /a ca-file", "'ca-file' : missing CAfile path"),
            ("ssl crt /a ca-verify-file", "'ca-verify-file' : missing CAfile path"),
            ("ssl crt /a crl-file", "'crl-file' : missing CRLfile path"),
            ("ssl crt /a tls-ticket-keys", "'tls-ticket-keys' : missing TLS ticket keys file path"),
            ("ssl", "Proxy 'f': no SSL certificate specified for bind ':8443' (use 'crt')."),
            ("ssl crt /a verify required", "Proxy 'f': verify is enabled but no CA file specified for bind ':8443'."),
            ("ssl crt /a ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2", "Proxy 'f': all SSL/TLS versions are disabled for bind ':8443'."),
            ("ssl crt /a no-tlsv12 no-tlsv13", "Proxy 'f': all SSL/TLS versions are disabled for bind ':8443'."),
        ]
        for (line, message) in cases {
            // (A bind line with an error is dropped, so Fulcrum adds "no 'bind'" after it.)
            let r = frontend(line)
            XCTAssertEqual(r.alerts.first?.message, message, line)
            XCTAssertEqual(r.alerts.first?.location?.line, 10, line)
        }
        XCTAssertEqual(frontend("ssl crt /a verify bogus").alerts.first?.location?.column, 32, "at the value")
    }

    func testBindVersionWarnings() {
        let cases: [(String, String)] = [
            ("force-tlsv12 no-tlsv12", "Proxy 'f': no-sslv3/no-tlsv1x are ignored for bind ':8443'. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix."),
            ("ssl-max-ver TLSv1.1", "Proxy 'f': Ambiguous configuration for bind ':8443': the ssl-min-ver value is not configured and the ssl-max-ver value is lower than the default ssl-min-ver value (TLSv1.2). Setting the ssl-min-ver to TLSv1.1. Use 'ssl-min-ver' to fix this."),
        ]
        for (options, message) in cases {
            let r = frontend("ssl crt /a " + options)
            XCTAssertEqual(r.alerts, [], options)
            XCTAssertEqual(r.warnings.map(\.message), [message], options)
        }
        XCTAssertEqual(frontend("ssl crt /a no-tlsv12").warnings, [], "the TLSv1.2 floor leaves TLSv1.3, no hole")
    }

    func testVersionRanges() {
        var f = TLSVersionFilter()
        XCTAssertEqual(TLSVersionCheck(f, bindSide: true).range, .tls12 ... .tls13, "HAProxy 2.6's floor on binds")
        XCTAssertEqual(TLSVersionCheck(f, bindSide: false).range, .tls10 ... .tls13, "no floor on servers")
        f.disabled = [.tls10, .tls12]
        let holed = TLSVersionCheck(f, bindSide: false)
        XCTAssertEqual(holed.range, .tls11 ... .tls13)
        XCTAssertEqual(holed.hole, .tls12)
        f = TLSVersionFilter(); f.max = .sslv3
        XCTAssertNil(TLSVersionCheck(f, bindSide: false).range, "this OpenSSL has no SSLv3")
    }

    // MARK: Global

    func testGlobalDefaultsApplyToBindsAndServers() throws {
        let r = tls("""
        global
          ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256
          ssl-default-bind-ciphersuites TLS_AES_128_GCM_SHA256
          ssl-default-bind-curves X25519
          ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets prefer-client-ciphers
          ssl-default-server-ciphers HIGH
          ssl-default-server-ciphersuites TLS_AES_256_GCM_SHA384
          ssl-default-server-options no-tlsv10 no-tls-tickets
        \(tcpDefaults)frontend f
          bind :443 ssl crt /a.pem
          bind :444 ssl crt /a.pem ciphers LOW ssl-max-ver TLSv1.3
          default_backend b
        backend b
          server s 10.0.0.1:443 ssl verify none
          server t 10.0.0.1:443 ssl verify none ciphers MEDIUM tls-tickets
        """)
        XCTAssertEqual(r.alerts, [])
        let binds = try XCTUnwrap(r.configuration.frontends.first?.binds)
        XCTAssertEqual(binds.map(\.tls.settings.ciphers), ["ECDHE-RSA-AES128-GCM-SHA256", "LOW"])
        XCTAssertEqual(binds[0].tls.settings.ciphersuites, "TLS_AES_128_GCM_SHA256")
        XCTAssertEqual(binds[0].tls.settings.curves, "X25519")
        XCTAssertEqual(binds.map(\.tls.settings.versions.min), [.tls12, .tls12])
        XCTAssertEqual(binds.map(\.tls.settings.versions.max), [nil, .tls13])
        XCTAssertEqual(binds.map(\.tls.noTLSTickets), [true, true])
        XCTAssertEqual(binds.map(\.tls.preferClientCiphers), [true, true])
        let servers = try XCTUnwrap(r.configuration.backends.first?.servers)
        XCTAssertEqual(servers.map(\.params.tls.ciphers), ["HIGH", "MEDIUM"])
        XCTAssertEqual(servers.map(\.params.tls.ciphersuites), ["TLS_AES_256_GCM_SHA384", "TLS_AES_256_GCM_SHA384"])
        XCTAssertEqual(servers.map(\.params.tls.versions.disabled), [[.tls10], [.tls10]])
        XCTAssertEqual(servers.map(\.params.tls.noTLSTickets), [true, false], "tls-tickets on the line wins")
    }

    func testGlobalValuesAndHAProxyDefaults() {
        XCTAssertNil(GlobalTLS().defaultDHParam)
        XCTAssertEqual(GlobalTLS().cacheSize, 20000)
        XCTAssertNil(GlobalTLS().lifetime)
        XCTAssertEqual(GlobalTLS().cacheLifetime, 300)
        XCTAssertEqual(GlobalTLS().maxRecord, 0)
        XCTAssertEqual(GlobalTLS().serverVerify, .required)
        XCTAssertEqual(GlobalTLS().extraFiles, Set(TLSExtraFile.allCases))
        let r = tls("global\n  tune.ssl.default-dh-param 4096\n  tune.ssl.cachesize 100k\n  tune.ssl.lifetime 5m\n  tune.ssl.maxrecord 1419\n  ssl-server-verify none\n  ssl-load-extra-files key ocsp\n  ssl-dh-param-file /dh.pem\n")
        XCTAssertEqual(r.alerts, [])
        let g = r.configuration.global.tls
        XCTAssertEqual([g.defaultDHParam ?? 0, g.cacheSize, g.lifetime ?? 0, g.maxRecord], [4096, 100, 300, 1419], "atoi reads 100k as 100, as HAProxy")
        XCTAssertEqual(g.serverVerify, .none)
        XCTAssertEqual(g.extraFiles, [.key, .ocsp])
        XCTAssertEqual(g.dhParamFile, "/dh.pem")
    }

    func testGlobalErrorsAsHAProxyWordsThem() {
        let cases: [(String, String)] = [
            ("ssl-default-bind-ciphers", "global statement 'ssl-default-bind-ciphers' expects a cipher suite as an argument."),
            ("ssl-default-bind-ciphers A B", "'ssl-default-bind-ciphers' cannot handle unexpected argument 'B'."),
            ("ssl-default-bind-ciphersuites", "global statement 'ssl-default-bind-ciphersuites' expects a cipher suite as an argument."),
            ("ssl-default-bind-curves", "global statement 'ssl-default-bind-curves' expects a curves suite as an arguments."),
            ("ssl-default-bind-options", "global statement 'ssl-default-bind-options' expects an option as an argument."),
            ("ssl-default-bind-options bogus", "unknown option 'bogus' on global statement 'ssl-default-bind-options'."),
            ("ssl-default-bind-options strict-sni", "unknown option 'strict-sni' on global statement 'ssl-default-bind-options'."),
            ("ssl-default-bind-options ssl-min-ver", "'ssl-min-ver' : missing the ssl/tls version on global statement 'ssl-default-bind-options'."),
            ("ssl-default-bind-options ssl-min-ver TLSv9", "'TLSv9' : unknown ssl/tls version on global statement 'ssl-default-bind-options'."),
            ("ssl-default-server-options prefer-client-ciphers", "unknown option 'prefer-client-ciphers' on global statement 'ssl-default-server-options'."),
            ("ssl-default-server-options no-ssl-reuse", "unknown option 'no-ssl-reuse' on global statement 'ssl-default-server-options'."),
            ("ssl-default-server-ciphers", "global statement 'ssl-default-server-ciphers' expects a cipher suite as an argument."),
            ("ca-base", "global statement 'ca-base' expects a directory path as an argument."),
            ("ca-base /a /b", "'ca-base' cannot handle unexpected argument '/b'."),
            ("crt-base /a\n  crt-base /b", "'crt-base' already specified."),
            ("tune.ssl.default-dh-param", "'tune.ssl.default-dh-param' expects an integer argument."),
            ("tune.ssl.default-dh-param 512", "'tune.ssl.default-dh-param' expects a value >= 1024."),
            ("tune.ssl.default-dh-param abc", "'tune.ssl.default-dh-param' expects a value >= 1024."),
            ("tune.ssl.default-dh-param 2048 x", "'tune.ssl.default-dh-param' cannot handle unexpected argument 'x'."),
            ("ssl-dh-param-file", "'ssl-dh-param-file' expects a file path as an argument."),
            ("tune.ssl.cachesize", "'tune.ssl.cachesize' expects an integer argument."),
            ("tune.ssl.cachesize -1", "'tune.ssl.cachesize' expects a positive numeric value."),
            ("tune.ssl.maxrecord -1", "'tune.ssl.maxrecord' expects a positive numeric value."),
            ("tune.ssl.lifetime", "'tune.ssl.lifetime' expects ssl sessions <lifetime> in seconds as argument."),
            ("tune.ssl.lifetime 10x", "unexpected character 'x' in argument to <tune.ssl.lifetime>."),
            ("tune.ssl.lifetime -5", "unexpected character '-' in argument to <tune.ssl.lifetime>."),
            ("tune.ssl.lifetime 99999999999", "timer overflow in argument '99999999999' to <tune.ssl.lifetime> (maximum value is 2147483647 s or ~68 years)."),
            ("ssl-server-verify", "'ssl-server-verify' expects an integer argument."),
            ("ssl-server-verify bogus", "'ssl-server-verify' expects 'none' or 'required' as argument."),
            ("ssl-server-verify none x", "'ssl-server-verify' cannot handle unexpected argument 'x'."),
            ("ssl-load-extra-files", "'ssl-load-extra-files' expects one or multiple arguments (none, all, bundle, sctl, ocsp, issuer)."),
            ("ssl-load-extra-files bogus", "'ssl-load-extra-files' expects one or multiple arguments (none, all, bundle, sctl, ocsp, issuer)."),
            ("ssl-load-extra-files none key", "'ssl-load-extra-files' 'none' and 'all' can be only used alone"),
        ]
        for (line, message) in cases {
            XCTAssertEqual(tls("global\n  " + line + "\n").alerts.map(\.message), [message], line)
        }
        XCTAssertEqual(tls("global\n  ssl-default-server-curves P-256\n").alerts.first?.message,
                       "keyword 'ssl-default-server-curves' is not supported yet (in section 'global')", "not a 2.6 keyword")
    }

    // MARK: Servers

    /// Checks follow `ssl` on the server's own port, never after
    /// `no-check-ssl`, always with `check-ssl`.
    func testWhichChecksSpeakTLS() throws {
        let inherited = try XCTUnwrap(serverTLS(server("ssl verify none")))
        XCTAssertTrue(inherited.checksSpeakTLS(separateCheckTarget: false))
        XCTAssertFalse(inherited.checksSpeakTLS(separateCheckTarget: true), "a check port of its own is plain")
        let refused = try XCTUnwrap(serverTLS(server("ssl verify none no-check-ssl")))
        XCTAssertFalse(refused.checksSpeakTLS(separateCheckTarget: false))
        let plain = try XCTUnwrap(serverTLS(server("")))
        XCTAssertFalse(plain.checksSpeakTLS(separateCheckTarget: false))
    }

    func testServerOptions() throws {
        let r = server("ssl verify required ca-file ca.pem crl-file crl.pem crt client.pem sni req.hdr(host) check-sni c.example verifyhost v.example alpn h2,http/1.1 check-alpn http/1.1 ciphers HIGH ciphersuites TLS_AES_128_GCM_SHA256 ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 no-ssl-reuse no-tls-tickets check-ssl",
                       global: "  ca-base /etc/ca\n  crt-base /etc/crt")
        XCTAssertEqual(r.alerts, [])
        let t = try XCTUnwrap(serverTLS(r))
        XCTAssertTrue(t.enabled && t.checkSSL == true && t.noSSLReuse)
        XCTAssertTrue(t.checksSpeakTLS(separateCheckTarget: true), "check-ssl even on another port")
        XCTAssertEqual(t.verify, .required)
        XCTAssertEqual(t.caFile, "/etc/ca/ca.pem")
        XCTAssertEqual(t.crlFile, "/etc/ca/crl.pem")
        XCTAssertEqual(t.certificate, "/etc/crt/client.pem")
        XCTAssertEqual(t.sni, "req.hdr(host)")
        XCTAssertEqual(t.checkSNI, "c.example")
        XCTAssertEqual(t.verifyHost, "v.example")
        XCTAssertEqual(t.alpn, ["h2", "http/1.1"])
        XCTAssertEqual(t.checkALPN, ["http/1.1"])
        XCTAssertEqual(t.versions.min, .tls12)
        XCTAssertEqual(t.noTLSTickets, true)
    }

    func testServerVerifyDefaultsToRequiredUnlessSSLServerVerifyNone() {
        let byDefault = "'server b/s' : verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default."
        XCTAssertEqual(server("ssl").alerts.map(\.message), [byDefault])
        XCTAssertEqual(server("ssl verify required").alerts.map(\.message), [byDefault])
        XCTAssertEqual(server("check-ssl").alerts.map(\.message), [byDefault], "checks over TLS verify too")
        XCTAssertEqual(server("ssl verify required", global: "  ssl-server-verify none").alerts.map(\.message),
                       ["'server b/s' : verify is enabled but no CA file specified."])
        XCTAssertEqual(server("ssl", global: "  ssl-server-verify none").alerts, [])
        XCTAssertEqual(server("ssl verify none").alerts, [])
        XCTAssertEqual(server("verify required").alerts, [], "no TLS, nothing to verify")
        XCTAssertEqual(server("ssl ca-file /ca.pem").alerts, [])
    }

    func testServerErrorsAsHAProxyWordsThem() {
        let cases: [(String, String)] = [
            ("ssl verify bogus", "'verify' : unknown verify method 'bogus', only 'none' and 'required' are supported."),
            ("ssl verify", "'verify' : missing verify method."),
            ("ssl verify none sni", "'sni' : missing sni expression."),
            ("ssl verify none check-sni", "'check-sni' : missing SNI."),
            ("ssl verify none alpn", "'alpn' : missing the comma-delimited ALPN protocol suite."),
            ("ssl verify none check-alpn", "'check-alpn' : missing the comma-delimited ALPN protocol suite."),
            ("ssl verify none ciphers", "'ciphers' : missing cipher suite."),
            ("ssl verify none ciphersuites", "'ciphersuites' : missing cipher suite."),
            ("ssl verify none verifyhost", "'verifyhost' : missing hostname to verify against."),
            ("ssl verify none ca-file", "'ca-file' : missing CAfile path."),
            ("ssl verify none crl-file", "'crl-file' : missing CRLfile path."),
            ("ssl verify none crt", "'crt' : missing certificate file path."),
            ("ssl verify none ssl-min-ver", "'ssl-min-ver' : missing the ssl/tls version."),
            ("ssl verify none ssl-max-ver TLS", "'TLS' : unknown ssl/tls version."),
            ("ssl verify none ssl-max-ver SSLv3", "'server b/s' : backend 'b': all SSL/TLS versions are disabled for server 's'."),
        ]
        for (options, message) in cases {
            XCTAssertEqual(server(options).alerts.map(\.message), [message], options)
        }
        XCTAssertEqual(server("ssl verify none no-tlsv10 no-tlsv12").warnings.map(\.message),
                       ["'server b/s' : backend 'b': SSL/TLS versions range not contiguous for server 's'. Hole find for TLSv1.2. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix."])
        XCTAssertEqual(server("ssl verify none ssl-max-ver TLSv1.2 no-tlsv12").warnings.map(\.message),
                       ["'server b/s' : no-sslv3/no-tlsv1x are ignored for this server. Use only 'ssl-min-ver' and 'ssl-max-ver' to fix."])
    }

    func testDefaultServerHandsDownTLSAndServersOverride() throws {
        let r = tls(tcpDefaults + "backend b\n  default-server ssl verify none alpn h2\n  server s 10.0.0.1:443\n  server t 10.0.0.2:80 no-ssl\n")
        XCTAssertEqual(r.alerts, [])
        let servers = try XCTUnwrap(r.configuration.backends.first?.servers)
        XCTAssertEqual(servers.map(\.params.tls.enabled), [true, false])
        XCTAssertEqual(servers.map(\.params.tls.alpn), [["h2"], ["h2"]])
        XCTAssertEqual(tls(tcpDefaults + "backend b\n  default-server ssl verify none alpn\n").alerts.map(\.message),
                       ["'alpn' : missing the comma-delimited ALPN protocol suite."])
    }
}
