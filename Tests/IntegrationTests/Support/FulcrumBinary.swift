import Glibc

/// Where the daemon under test lives: `$FULCRUM_BIN` when set (to test an
/// installed or release build), else the `fulcrum` executable that SwiftPM
/// builds next to the test bundle in .build/<triple>/<config>/.
enum FulcrumBinary {
    static func path() throws -> String {
        if let override = getenv("FULCRUM_BIN").map({ String(cString: $0) }), !override.isEmpty {
            guard Tools.isExecutableFile(override) else {
                throw HarnessError.binaryNotFound("FULCRUM_BIN=\(override) is not an executable file")
            }
            return override
        }
        let testBinary = executablePathOfThisProcess()
        let directory = testBinary.map { String($0[..<($0.lastIndex(of: "/") ?? $0.endIndex)]) } ?? "."
        // The test runner may be the bundle itself (Linux) or sit inside it.
        var candidates = ["\(directory)/fulcrum"]
        if let bundle = directory.range(of: ".xctest") {
            let buildDirectory = directory[..<bundle.lowerBound]
            candidates.append("\(buildDirectory[..<(buildDirectory.lastIndex(of: "/") ?? buildDirectory.endIndex)])/fulcrum")
        }
        for candidate in candidates where Tools.isExecutableFile(candidate) {
            return candidate
        }
        throw HarnessError.binaryNotFound(
            "fulcrum executable not found (looked at \(candidates.joined(separator: ", ")); "
            + "run `swift build` first, or set FULCRUM_BIN to its path")
    }

    private static func executablePathOfThisProcess() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
