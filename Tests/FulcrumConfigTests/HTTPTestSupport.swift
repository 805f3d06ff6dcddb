import XCTest
@testable import FulcrumConfig

/// A defaults section in mode http with every timeout set.
let httpDefaults = """
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s


"""

/// Parses `lines` placed in an http frontend `f` (line 9 onwards) whose
/// default backend `app` (and a second backend `api`) exist.
func parseFrontend(_ lines: String, extra: String = "") -> ParseResult {
    parse(httpDefaults + "frontend f\n    bind :80\n" + lines + "\n    default_backend app\nbackend app\n    server s1 10.0.0.1:80\nbackend api\n    server s2 10.0.0.2:80\n" + extra)
}

extension ParseResult {
    var frontend: Frontend? { configuration.frontends.first }
}
