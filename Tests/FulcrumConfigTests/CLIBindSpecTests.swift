import XCTest
import FulcrumConfig

/// The one reader of CLI endpoints: `-S` hands it the comma-separated words
/// of its argument, `stats socket` the words of its line.
final class CLIBindSpecTests: XCTestCase {
    private func parse(_ commaSeparated: String) -> Result<CLIBindSpec, CLIBindSpec.Failure> {
        CLIBindSpec.parse(commaSeparated.split(separator: ",", omittingEmptySubsequences: false).map(String.init), what: "-S")
    }

    func testMasterCLIForms() throws {
        let unix = try parse("/run/m.sock,mode,600,user,haproxy,group,adm,level,operator").get()
        XCTAssertEqual(unix, CLIBindSpec(address: .unix("/run/m.sock"), mode: 0o600, user: "haproxy", group: "adm", level: .operator_))
        XCTAssertEqual(try parse("ipv4@127.0.0.1:9999").get().address, .inet(host: "127.0.0.1", port: 9999))
        XCTAssertEqual(try parse("ipv6@[::1]:9999").get().address, .inet(host: "::1", port: 9999))
        XCTAssertEqual(try parse("ipv6@::1:9999").get().address, .inet(host: "::1", port: 9999))
        XCTAssertEqual(try parse(":9999").get().address, .inet(host: "0.0.0.0", port: 9999))
        XCTAssertEqual(try parse("fd@3,expose-fd,listeners").get(), CLIBindSpec(address: .inheritedFD(3), expose: true))
        XCTAssertEqual(try parse("unix@rel.sock").get().address, .unix("rel.sock"))
        XCTAssertNil(try parse("/run/m.sock").get().level, "the endpoint decides its default level")
    }

    func testRefusalsNameTheirWord() {
        func failure(_ text: String) -> CLIBindSpec.Failure? {
            if case .failure(let f) = parse(text) { return f } else { return nil }
        }
        XCTAssertEqual(failure("/m.sock,mode,9x9")?.message, "-S : 'mode' expects an octal mode such as 600 (got '9x9')")
        XCTAssertEqual(failure("/m.sock,mode,9x9")?.word, 2)
        XCTAssertEqual(failure("/m.sock,mode")?.message, "-S : 'mode' expects an octal mode such as 600 (got '')")
        XCTAssertEqual(failure("/m.sock,mode")?.word, 1, "a missing value is refused at its option")
        XCTAssertEqual(failure("/m.sock,gid,adm")?.message, "-S : 'gid' expects a number (got 'adm')")
        XCTAssertEqual(failure("/m.sock,levl,admin")?.message, "unknown keyword 'levl' on -S; did you mean 'level'?")
        XCTAssertEqual(failure("/m.sock,accept-proxy,x")?.message, "bind option 'accept-proxy' is not supported yet on -S")
        XCTAssertEqual(failure("fd@x")?.word, 0)
        XCTAssertEqual(failure("ipv4@127.0.0.1:0")?.message, "-S : invalid port in 'ipv4@127.0.0.1:0'")
        XCTAssertEqual(failure("m.sock")?.message, "-S expects an absolute path to a UNIX socket or HOST:PORT (got 'm.sock')")
        XCTAssertNotNil(failure("abns@x"))
        XCTAssertNotNil(failure(""))
    }
}
