import XCTest
@testable import FulcrumBGP

/// BIRD's control-socket replies as bird 2.0 writes them, and the include Fulcrum writes.
final class BIRDReplyTests: XCTestCase {
    func testGreetingAndConfigureReplies() {
        let text = "0001 BIRD 2.0.12 ready.\n0002-Reading configuration from /etc/bird/bird.conf\n0003 Reconfigured\n"
        guard let (hello, used) = BIRDReply.parse(Substring(text)) else { return XCTFail("no reply") }
        XCTAssertEqual(hello.code, 1)
        XCTAssertEqual(hello.message, "BIRD 2.0.12 ready.")
        let rest = text.dropFirst(used)
        guard let (configured, _) = BIRDReply.parse(rest) else { return XCTFail("no second reply") }
        XCTAssertEqual(configured.code, 3)
        XCTAssertFalse(configured.isError)
        XCTAssertEqual(configured.lines.map(\.text), ["Reading configuration from /etc/bird/bird.conf", "Reconfigured"])
        // An unfinished reply is not a reply yet.
        XCTAssertNil(BIRDReply.parse("0002-Reading configuration from /etc/bird/bird.conf\n0003 Reconf"))
        let error = BIRDReply.parse("0002-Reading configuration from /etc/bird/bird.conf\n8002 /etc/bird/fulcrum-vips.conf:3:9 syntax error, unexpected CF_SYM_UNDEFINED\n")
        XCTAssertEqual(error?.reply.isError, true)
        XCTAssertEqual(error?.reply.message, "/etc/bird/fulcrum-vips.conf:3:9 syntax error, unexpected CF_SYM_UNDEFINED")
    }

    func testShowProtocols() {
        let text = """
            2002-Name       Proto      Table      State  Since         Info
            1002-device1    Device     ---        up     11:59:53.532  
                 fulcrum_vips Static     master4    up     11:59:53.532  
                 router     BGP        ---        up     12:00:01.001  Established   
                 backup     BGP        ---        start  2026-12-07 12:00:01  Active        Socket: Connection refused
            0000 

            """
        guard let (reply, _) = BIRDReply.parse(Substring(text)) else { return XCTFail("no reply") }
        XCTAssertEqual(reply.code, 0)
        XCTAssertEqual(reply.protocols, [
            .init(name: "device1", proto: "Device", state: "up", info: ""),
            .init(name: "fulcrum_vips", proto: "Static", state: "up", info: ""),
            .init(name: "router", proto: "BGP", state: "up", info: "Established"),
            .init(name: "backup", proto: "BGP", state: "start", info: "Active Socket: Connection refused"),
        ])
    }

    func testStaticProtocolRoundTrip() {
        let text = BIRDStaticProtocol.render(protocol: "fulcrum_vips", interface: "fulcrum-vip",
                                             routes: [("192.0.2.10", 32), ("198.51.100.0", 24)])
        XCTAssertEqual(text, """
            # Written by fulcrum (bgp_defs bird_include): the VIPs this node announces now. Do not edit.
            protocol static fulcrum_vips {
            \tipv4;
            \troute 192.0.2.10/32 via "fulcrum-vip";
            \troute 198.51.100.0/24 via "fulcrum-vip";
            }

            """)
        XCTAssertEqual(BIRDStaticProtocol.routes(in: text), ["192.0.2.10/32", "198.51.100.0/24"])
        XCTAssertEqual(BIRDStaticProtocol.routes(in: BIRDStaticProtocol.render(protocol: "p", interface: "i", routes: [])), [])
        XCTAssertNil(BIRDStaticProtocol.routes(in: "protocol static x { ipv4; }\n"))
    }
}
