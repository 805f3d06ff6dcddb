import XCTest
@testable import FulcrumDaemon

/// The option parser against `haproxy -h` (2.6): each flag lands where the
/// daemon reads it, and what a child must know is passed on.
final class CommandLineOptionsTests: XCTestCase {
    private func parse(_ args: String) throws -> CommandLineOptions {
        try CommandLineOptions.parse(args.split(separator: " ").map(String.init))
    }

    func testCapitalVIsVerboseNotVersion() throws {
        let o = try parse("-c -V -q -f bad.cfg")
        XCTAssertTrue(o.checkOnly && o.verbose)
        XCTAssertEqual(o.version, 0)
        XCTAssertFalse(o.isQuiet, "-V disables quiet mode")
        XCTAssertTrue(try parse("-q -f a.cfg").isQuiet)
    }

    func testDebugFlags() throws {
        let o = try parse("-W -db -dW -dr -dV -f a.cfg")
        XCTAssertTrue(o.foreground && o.zeroWarning && o.ignoreResolveFailures && o.serverVerifyNone)
        XCTAssertFalse(o.debug, "-db only disables background mode")
        XCTAssertEqual(try parse("-dM -f a").poisonByte, 0x50)
        XCTAssertEqual(try parse("-dM0x41 -f a").poisonByte, 0x41)
        XCTAssertEqual(try parse("-dM0 -f a").poisonByte, 0)
        XCTAssertTrue(try parse("-dMhelp").poisonHelp)
        XCTAssertThrowsError(try parse("-dMfoo -f a"))
        XCTAssertThrowsError(try parse("-dM0x41,no-merge -f a"), "pool debugging keywords are refused, not ignored")
    }

    func testValuedOptions() throws {
        let o = try parse("-L lb1 -N 200 -n 1000 -m 512 -C /etc/fulcrum -x /run/old.sock -p /run/f.pid -f a.cfg")
        XCTAssertEqual(o.localPeer, "lb1")
        XCTAssertEqual(o.defaultProxyMaxconn, 200)
        XCTAssertEqual(o.maxconn, 1000)
        XCTAssertEqual(o.memoryLimitMB, 512)
        XCTAssertEqual(o.changeDirectory, "/etc/fulcrum")
        XCTAssertEqual(o.socketSource, "/run/old.sock")
        XCTAssertThrowsError(try parse("-n abc -f a.cfg"))
        XCTAssertThrowsError(try parse("-f a.cfg -L")) { e in
            XCTAssertEqual(e as? CommandLineOptions.ParseError, .message("option '-L' needs an argument"))
        }
    }

    func testStopListsTakeEveryPidUntilTheNextOption() throws {
        let o = try parse("-f a.cfg -sf 12 13 -st 14 -q")
        XCTAssertEqual(o.softStopPIDs, [12, 13])
        XCTAssertEqual(o.hardStopPIDs, [14])
        XCTAssertTrue(o.quiet)
        XCTAssertEqual(try parse("-f a.cfg -sf").softStopPIDs, [], "an empty $(cat pidfile) is no error, as haproxy")
        XCTAssertThrowsError(try parse("-f a.cfg -sf abc")) { e in
            XCTAssertEqual(e as? CommandLineOptions.ParseError, .message("-sf option: some bytes unconsumed in PID list {abc}"))
        }
    }

    func testConditionNeedsNoConfigurationAndDoubleDashListsFiles() throws {
        XCTAssertEqual(try parse("-cc version_atleast(2.4)").condition, "version_atleast(2.4)")
        XCTAssertEqual(try CommandLineOptions.parse(["-c", "--", "a.cfg", "-b.cfg"]).configPaths, ["a.cfg", "-b.cfg"])
    }

    func testChildrenAreToldWhatChangesTheConfiguration() throws {
        var o = try parse("-q -V -dr -dV -N 10 -n 20 -dM0x41 -m 64 -L x -f a.cfg")
        o.detachStdio = true
        XCTAssertEqual(o.childArguments, ["-dr", "-dV", "-N", "10", "-n", "20", "-dM65", "--detach-stdio"])
        XCTAssertEqual(o.configArguments, ["-dr", "-dV", "-N", "10", "-n", "20"])
        let child = try CommandLineOptions.parse(["--role", "worker"] + o.childArguments)
        XCTAssertEqual(CommandLineOverrides(child), CommandLineOverrides(o))
        XCTAssertEqual(child.poisonByte, 0x41)
        XCTAssertTrue(child.detachStdio)
        XCTAssertEqual(try parse("-q -f a").childArguments, ["-q"])
    }
}
