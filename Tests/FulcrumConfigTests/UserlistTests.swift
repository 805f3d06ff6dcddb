import XCTest
@testable import FulcrumConfig

final class UserlistTests: XCTestCase {
    private let users = """
    userlist admins
        group ops
        group dev users carol
        user alice password $6$salt$hash groups ops,dev
        user bob insecure-password secret groups ops
        user carol insecure-password pw


    """

    func testUserlistSection() {
        let r = parse(users)
        XCTAssertEqual(r.diagnostics, [])
        let list = r.configuration.userlists.first
        XCTAssertEqual(list?.name, "admins")
        XCTAssertEqual(list?.users.map(\.name), ["alice", "bob", "carol"])
        XCTAssertEqual(list?.users.first?.password, "$6$salt$hash")
        XCTAssertEqual(list?.users.map(\.insecure), [false, true, true])
        XCTAssertEqual(list?.groups, ["ops": ["alice", "bob"], "dev": ["carol", "alice"]])
        XCTAssertEqual(list?.users.last?.groups, ["dev"])
    }

    func testAuthCriteriaReferenceUserlists() {
        let r = parseFrontend("    acl ok http_auth(admins)\n    acl devs http_auth_group(admins) dev\n    http-request auth realm Admin unless ok\n", extra: users)
        XCTAssertEqual(r.diagnostics, [])
        let acls = r.frontend?.http.acls ?? []
        XCTAssertEqual(acls.map(\.fetch), [SampleFetch(name: "http_auth", arguments: ["admins"]), SampleFetch(name: "http_auth_group", arguments: ["admins"])])
        XCTAssertEqual(acls.map(\.method), [.bool, .str])
        XCTAssertEqual(acls.last?.patterns, ["dev"])
        let missing = parseFrontend("    acl ok http_auth(admin)\n", extra: users)
        assertSingleAlert(missing, "unable to find userlist 'admin' referenced in frontend 'f'; did you mean 'admins'?", line: 9, column: 12)
        assertSingleAlert(parseFrontend("    acl ok http_auth\n"), "ACL criterion 'http_auth' expects the name of a userlist as its argument, as in 'http_auth(<name>)'", line: 9, column: 12)
    }

    func testUserlistErrors() {
        func alerts(_ body: String) -> [String] { parse("userlist L\n" + body).alerts.map(\.message) }
        XCTAssertEqual(alerts("    user a insecure-password x groups nosuch\n"), ["userlist 'L': no such group 'nosuch' specified in user 'a'"])
        XCTAssertEqual(alerts("    group g users nobody\n"), ["userlist 'L': no such user 'nobody' specified in group 'g'"])
        XCTAssertEqual(alerts("    user a passwd x\n"), ["'user' expects 'password' or 'insecure-password' but got 'passwd'; did you mean 'password'?"])
        XCTAssertEqual(alerts("    user a password\n"), ["'user' expects <name> then 'password <hash>' or 'insecure-password <password>'"])
        XCTAssertEqual(alerts("    user a password x\n    user a password y\n"), ["userlist 'L': user 'a' already declared"])
        XCTAssertEqual(alerts("    group g\n    group g\n"), ["userlist 'L': group 'g' already declared at t.cfg:2:5"])
        XCTAssertEqual(alerts("    usr a\n"), ["unknown keyword 'usr' in 'userlist' section; did you mean 'user'?"])
        let r = parse("userlist L\n    user a password x extra y\n")
        assertSingleAlert(r, "'user' expects 'groups <group>[,<group>...]' after the password but got 'extra'", line: 2, column: 23)
        assertSingleAlert(parse("userlist L\nuserlist L\n"), "userlist 'L' has the same name as the userlist declared at t.cfg:1:1", line: 2, column: 10)
    }
}
