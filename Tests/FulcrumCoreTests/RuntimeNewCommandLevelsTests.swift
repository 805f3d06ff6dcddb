import XCTest
@testable import FulcrumCore

/// The levels haproxy 2.6 asks for the commands added here (measured on a
/// `level user` and a `level operator` socket).
final class RuntimeNewCommandLevelsTests: XCTestCase {
    private func parse(_ line: String, _ level: RuntimeLevel) -> Result<RuntimeCommand, RuntimeError> {
        RuntimeCommand.parse(words: RuntimeCommandLine.words(line), level: level, master: false)
    }

    func testLevels() {
        XCTAssertEqual(parse("show errors", .user), .failure(.permissionDenied))
        XCTAssertEqual(parse("show errors fe response", .operator_), .success(.showErrors(arguments: ["fe", "response"])))
        XCTAssertEqual(parse("show activity", .user), .success(.showActivity))
        XCTAssertEqual(parse("show pools", .user), .success(.showPools))
        XCTAssertEqual(parse("set maxconn server be/s1 3", .operator_), .failure(.permissionDenied))
        XCTAssertEqual(parse("set maxconn server be/s1 3", .admin), .success(.setServerMaxconn(backend: "be", server: "s1", value: "3")))
        XCTAssertEqual(parse("set maxconn server be 3", .admin), .failure(.message("Require 'backend/server'.\n")))
    }

    func testMaxconnValuesAsStrtolAndACInt() {
        XCTAssertEqual(try? RuntimeServerMaxconn.parse("-3").get(), 4_294_967_293)
        XCTAssertEqual(try? RuntimeServerMaxconn.parse("99999999999").get(), 1_215_752_191)
        XCTAssertEqual(try? RuntimeServerMaxconn.parse("99999999999999999999999").get(), UInt32.max, "LONG_MAX's low 32 bits")
        XCTAssertEqual(RuntimeServerMaxconn.parse("12x"), .failure(.message("Trailing garbage in maxconn string")))
        XCTAssertEqual(RuntimeServerMaxconn.parse("x"), .failure(.message("maxconn string empty or preceded by garbage")))
    }
}
