import XCTest
@testable import FulcrumConfig

final class ProgramSectionTests: XCTestCase {
    func testProgramWithCommandUserGroupAndOption() {
        let r = parse("""
        program web
            command python3 -m http.server "9001" --bind 127.0.0.1
            user nobody
            group nogroup
            no option start-on-reload
        program other
            command /bin/sleep 5

        """)
        XCTAssertEqual(r.alerts, [])
        XCTAssertEqual(r.configuration.programs.count, 2)
        let p = r.configuration.programs[0]
        XCTAssertEqual(p.name, "web")
        XCTAssertEqual(p.command, ["python3", "-m", "http.server", "9001", "--bind", "127.0.0.1"])
        XCTAssertEqual(p.user, "nobody")
        XCTAssertEqual(p.group, "nogroup")
        XCTAssertFalse(p.startOnReload)
        XCTAssertTrue(r.configuration.programs[1].startOnReload)
        XCTAssertEqual(p.location.line, 1)
    }

    func testProgramErrors() {
        let r = parse("""
        program
        program p1
            user
        program p1
            command /bin/true
            option start-on-reloda
            colour blue
        """)
        XCTAssertEqual(r.alerts.map(\.message), [
            "'program' expects <name> as an argument",
            "'user' expects exactly one argument",
            "program 'p1' has the same name as the program declared at t.cfg:2:1",
            "unknown option 'start-on-reloda' in 'program' section; did you mean 'start-on-reload'?",
            "unknown keyword 'colour' in 'program' section",
            "program 'p1' has no 'command'",
        ])
        XCTAssertEqual(r.alerts.map { $0.location!.line }, [1, 3, 4, 6, 7, 2])
    }
}
