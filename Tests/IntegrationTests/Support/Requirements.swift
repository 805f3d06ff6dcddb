import Glibc
import XCTest

/// Skips the calling test unless it runs as root, saying why root is needed
/// (network namespaces, privileged ports, VIPs...). CI runs as root, so these
/// tests do run there.
func requireRoot(_ why: String) throws {
    guard geteuid() == 0 else {
        throw XCTSkip("needs root (\(why)); running as uid \(geteuid())")
    }
}

/// Skips the calling test when `tool` is not installed; returns its path.
@discardableResult
func requireTool(_ tool: String) throws -> String {
    guard let path = Tools.find(tool) else {
        throw XCTSkip("needs \(tool), which is not installed (apt-get install the package providing it)")
    }
    return path
}
