import Glibc

/// The optimized `fulcrum`, for measurements that only mean something in the
/// build that ships (allocation counts: a debug build boxes and copies what
/// the optimizer removes). `$FULCRUM_RELEASE_BIN` when set; else built once
/// per test run with `swift build -c release --product fulcrum` in this
/// package (incremental: seconds when it is up to date).
enum FulcrumReleaseBinary {
    static func path() throws -> String { try built.get() }

    private static let built: Result<String, Error> = Result { try locateOrBuild() }

    private static func locateOrBuild() throws -> String {
        if let override = getenv("FULCRUM_RELEASE_BIN").map({ String(cString: $0) }), !override.isEmpty {
            guard Tools.isExecutableFile(override) else {
                throw HarnessError.binaryNotFound("FULCRUM_RELEASE_BIN=\(override) is not an executable file")
            }
            return override
        }
        guard let swift = Tools.find("swift") ?? Tools.find("/opt/swift/usr/bin/swift") else {
            throw HarnessError.binaryNotFound("no swift toolchain to build the release fulcrum; set FULCRUM_RELEASE_BIN")
        }
        // `swift test` holds the lock on .build while the tests run; it is
        // idle meanwhile, and the release build writes its own directory.
        let common = ["-c", "release", "--package-path", packageRoot, "--ignore-lock"]
        let build = try CommandRunner.run(swift, ["build"] + common + ["--product", "fulcrum"], timeout: 1800)
        guard build.succeeded else {
            throw HarnessError.failed("swift build -c release failed (\(build.exit)):\n\(build.output.suffix(3000))")
        }
        let binPath = try CommandRunner.run(swift, ["build"] + common + ["--show-bin-path"], timeout: 120)
        let path = binPath.stdout.split(separator: "\n").last.map { "\($0)/fulcrum" } ?? ""
        guard binPath.succeeded, Tools.isExecutableFile(path) else {
            throw HarnessError.binaryNotFound("release fulcrum not at \(path.debugDescription): \(binPath.output)")
        }
        return path
    }

    /// This file is Tests/IntegrationTests/Support/FulcrumReleaseBinary.swift.
    static var packageRoot: String {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false)
        parts.removeLast(4)
        return parts.joined(separator: "/")
    }
}
