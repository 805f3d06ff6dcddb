import Foundation
import Glibc
import XCTest

/// A Python virtual environment with operators' tools from PyPI (ansible,
/// haproxyadmin, haproxy-cli), made once per machine under /tmp and reused
/// by later tests and runs: the tools run as operators install them, not as
/// copies inside the repository. A test that needs one is skipped, saying
/// why, when it cannot be made (python3 -m venv missing, PyPI unreachable).
enum PythonVenv {
    private static let lock = NSLock()

    /// The environment's directory, with `packages` installed (pip's
    /// requirement syntax); `bin/` holds their commands.
    static func with(_ packages: [String]) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        let key = packages.sorted().joined(separator: "_").map { $0.isLetter || $0.isNumber ? $0 : "-" }
        let directory = "/tmp/fulcrum-venv-\(String(key))"
        let marker = directory + "/.installed"
        if access(marker, F_OK) == 0 { return directory }
        _ = try requireTool("python3")
        let made = try CommandRunner.run("python3", ["-m", "venv", "--clear", directory], timeout: 120)
        guard made.succeeded else {
            throw XCTSkip("needs a Python venv (apt-get install python3-venv): \(made.output.suffix(300))")
        }
        let pip = try CommandRunner.run(directory + "/bin/pip", ["install", "--quiet", "--disable-pip-version-check"] + packages,
                                        timeout: 900)
        guard pip.succeeded else {
            throw XCTSkip("needs \(packages.joined(separator: ", ")) from PyPI, which pip could not install: \(pip.output.suffix(400))")
        }
        try FileBytes.write(Array("ok\n".utf8), to: marker)
        return directory
    }
}
