import XCTest
@testable import FulcrumConfig

/// crt-list files as HAProxy 2.6 reads them (messages observed with
/// `haproxy -c`), and the files TLS settings name, through an in-memory reader.
final class CrtListTests: XCTestCase {
    func parse(_ text: String, crtBase: String? = nil) -> (CrtList, [CrtList.Message]) {
        CrtList.parse(text, path: "/l.txt", crtBase: crtBase, caBase: nil)
    }

    func testLinesOptionsAndFilters() throws {
        let (list, messages) = parse("""
        # comment

        /c/a.pem [alpn h2 verify none ssl-min-ver TLSv1.2] a.example !b.example *.c.example
        b.pem
           /c/d.pem  \t d.example   # not a comment here
        /c/e.pem [alpn h2
        """, crtBase: "/base")
        XCTAssertEqual(messages, [])
        XCTAssertEqual(list.entries.map(\.path), ["/c/a.pem", "/base/b.pem", "/c/d.pem", "/c/e.pem"])
        XCTAssertEqual(list.entries.map(\.line), [3, 4, 5, 6])
        let a = list.entries[0]
        XCTAssertEqual(a.settings?.alpn, ["h2"])
        XCTAssertEqual(a.settings?.verify, TLSClientVerify.none)
        XCTAssertEqual(a.settings?.versions.min, .tls12)
        XCTAssertEqual(a.filters, ["a.example", "!b.example", "*.c.example"])
        XCTAssertNil(list.entries[1].settings)
        XCTAssertEqual(list.entries[2].filters, ["d.example", "#", "not", "a", "comment", "here"], "only a line starting with # is a comment")
        // An unterminated '[' leaves its words as filters, as HAProxy does.
        XCTAssertEqual(list.entries[3].filters, ["alpn", "h2"])
    }

    func testEveryCrtListKeyword() {
        let (list, messages) = parse("/a [allow-0rtt alpn h2 ca-file /ca ca-verify-file /v ciphers HIGH ciphersuites X crl-file /crl curves P-256 ecdhe prime256v1 no-ca-names npn h2 ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.3 verify optional]\n")
        XCTAssertEqual(messages, [])
        let s = list.entries.first?.settings
        XCTAssertEqual(s?.caFile, "/ca")
        XCTAssertEqual(s?.verify, .optional)
        XCTAssertEqual(s?.versions.max, .tls13)
        XCTAssertEqual(s?.allow0RTT, true)
    }

    func testErrorsAsHAProxyWordsThem() {
        let cases: [(String, String)] = [
            ("/a [bogus x]", "parsing [/l.txt:1]: unknown ssl keyword bogus"),
            ("/a [no-tlsv13]", "parsing [/l.txt:1]: unknown ssl keyword no-tlsv13"),
            ("/a [strict-sni]", "parsing [/l.txt:1]: unknown ssl keyword strict-sni"),
            ("/a [crt /b]", "parsing [/l.txt:1]: unknown ssl keyword crt"),
            ("/a [verify bogus]", "'verify' : unknown verify method 'bogus', only 'none', 'optional', and 'required' are supported"),
            ("/a [ssl-min-ver TLSv9]", "'TLSv9' : unknown ssl/tls version"),
            ("/a [ssl-min-ver]", "parsing [/l.txt:1]: ssl args out of '[]' for ssl-min-ver"),
            ("/a [alpn]", "parsing [/l.txt:1]: ssl args out of '[]' for alpn"),
            ("/a ]", "parsing [/l.txt:1]: missing '['"),
            ("/a ] [", "parsing [/l.txt:1]: missing '['"),
            ("/a [alpn h2] [verify none]", "parsing [/l.txt:1]: too many '['"),
            ("/a [alpn h2]] x", "parsing [/l.txt:1]: too many ']'"),
            ("[alpn h2] /a", "parsing [/l.txt:1]: file must start with a cert"),
        ]
        for (line, message) in cases {
            XCTAssertEqual(parse(line + "\n").1, [CrtList.Message(isError: true, text: message)], line)
        }
        let (list, warning) = parse("/a x [alpn h2]\n")
        XCTAssertEqual(warning, [CrtList.Message(isError: false, text: "parsing [/l.txt:1]: malformated line, filters can't be between filename and options!")])
        XCTAssertEqual(list.entries.first?.settings?.alpn, ["h2"])
        XCTAssertEqual(list.entries.first?.filters, [], "the words before '[' are dropped")
        XCTAssertEqual(parse("/a\n/b [bogus]\n/c\n").0.entries.map(\.path), ["/a"], "reading stops at an error")
    }
}

/// An in-memory filesystem for `TLSFiles`.
struct MemoryFiles: TLSFileReader {
    var files: [String: String] = [:]
    var directories: [String: [String]] = [:]
    func statError(_ path: String) -> String? {
        files[path] != nil || directories[path] != nil ? nil : "No such file or directory"
    }
    func isDirectory(_ path: String) -> Bool { directories[path] != nil }
    func entries(_ directory: String) -> [String] { directories[directory] ?? [] }
    func read(_ path: String) -> Result<String, TLSFileError> {
        files[path].map { .success($0) } ?? .failure(TLSFileError("No such file or directory"))
    }
}

final class TLSFilesTests: XCTestCase {
    func load(_ bind: String, global: String = "", backend: String = "  server s 10.0.0.1:80",
              _ fs: MemoryFiles) -> (Configuration, [Diagnostic]) {
        let text = "global\n\(global)\n" + tcpDefaults + "frontend f\n  bind :8443 \(bind)\n  default_backend b\nbackend b\n\(backend)\n"
        var r = ConfigParser.parse([ConfigSource(name: "t.cfg", text: text)], environment: [:], tls: .all)
        XCTAssertEqual(r.alerts, [], "parse")
        let d = TLSFiles.load(&r.configuration, reader: fs)
        return (r.configuration, d)
    }

    func testCertificatesInOrderFromFilesDirectoriesAndCrtLists() throws {
        var fs = MemoryFiles()
        fs.files = ["/c/a.pem": "", "/c/a.pem.key": "", "/c/a.pem.ocsp": "", "/d/2.pem": "", "/d/1.pem": "",
                    "/d/1.pem.key": "", "/d/.hidden": "", "/base/x.pem": "",
                    "/l.txt": "x.pem [alpn h2] x.example\n/c/a.pem *.a.example\n"]
        fs.directories = ["/d": ["2.pem", "1.pem", "1.pem.key", ".hidden", "1.pem.ocsp"]]
        let (c, d) = load("ssl crt /c/a.pem crt /d crt-list /l.txt alpn http/1.1", global: "  crt-base /base\n  ssl-load-extra-files key", fs)
        XCTAssertEqual(d, [])
        let certs = try XCTUnwrap(c.frontends.first?.binds.first?.tls.certificates)
        XCTAssertEqual(certs.map(\.path), ["/c/a.pem", "/d/1.pem", "/d/2.pem", "/base/x.pem", "/c/a.pem"])
        XCTAssertEqual(certs.map(\.keyFile), ["/c/a.pem.key", "/d/1.pem.key", nil, nil, "/c/a.pem.key"])
        XCTAssertEqual(certs.map(\.ocspFile), [nil, nil, nil, nil, nil], "ocsp is not among the extra files asked for")
        XCTAssertEqual(certs.map(\.settings.alpn), [["http/1.1"], ["http/1.1"], ["http/1.1"], ["h2"], ["http/1.1"]])
        XCTAssertEqual(certs.map(\.filters), [[], [], [], ["x.example"], ["*.a.example"]])
    }

    func testMissingFilesAsHAProxyWordsThem() {
        let fs = MemoryFiles(files: ["/a.pem": "", "/l.txt": "/missing.pem\n", "/bad.txt": "/a.pem [bogus]\n", "/empty.txt": "# nothing\n"])
        func messages(_ bind: String, backend: String = "  server s 10.0.0.1:80") -> [String] {
            load(bind, backend: backend, fs).1.map(\.message)
        }
        XCTAssertEqual(messages("ssl crt /nonexist.pem"), ["unable to stat SSL certificate from file '/nonexist.pem' : No such file or directory."])
        XCTAssertEqual(messages("ssl crt-list /nonexist"), ["'crt-list' : cannot open file '/nonexist' : No such file or directory"])
        XCTAssertEqual(messages("ssl crt-list /l.txt"), ["'crt-list' : unable to stat SSL certificate from file '/missing.pem' : No such file or directory."])
        XCTAssertEqual(messages("ssl crt-list /bad.txt"), ["'crt-list' : parsing [/bad.txt:1]: unknown ssl keyword bogus"])
        XCTAssertEqual(messages("ssl crt-list /empty.txt"), ["Proxy 'f': no SSL certificate specified for bind ':8443' (use 'crt')."])
        XCTAssertEqual(messages("ssl crt /a.pem ca-file /nonexist"),
                       ["Couldn't open the ca-file '/nonexist' (No such file or directory).", "'ca-file' : unable to load /nonexist"])
        XCTAssertEqual(messages("ssl crt /a.pem tls-ticket-keys /nonexist"), ["'/nonexist' : unable to load ssl tickets keys file"])
        XCTAssertEqual(messages("ssl crt /a.pem", backend: "  server s 10.0.0.1:80 ssl verify none crt /nonexist"),
                       ["'server b/s' : unable to stat SSL certificate from file '/nonexist' : No such file or directory."])
        XCTAssertEqual(messages("ssl crt /a.pem", backend: "  server s 10.0.0.1:80 ssl ca-file /nonexist"),
                       ["'server b/s' : Couldn't open the ca-file '/nonexist' (No such file or directory).", "'ca-file' : unable to load /nonexist."])
    }

    func testACrtListLineAskingForClientCertificatesNeedsACAFile() {
        let fs = MemoryFiles(files: ["/a.pem": "", "/l.txt": "/a.pem [verify required]\n", "/ok.txt": "/a.pem [verify required ca-file /ca]\n", "/ca": ""])
        XCTAssertEqual(load("ssl crt-list /l.txt", fs).1.map(\.message), ["Proxy 'f': verify is enabled but no CA file specified for bind ':8443'."])
        XCTAssertEqual(load("ssl crt-list /ok.txt", fs).1, [])
    }
}
