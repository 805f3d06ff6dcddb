/// The BIRD include Fulcrum writes (bgp_defs bird_include): one static
/// protocol holding a device route for each VIP announced now. BIRD's BGP
/// protocols export it by name (`proto = "fulcrum_vips"` in their filter);
/// BIRD reads it at start and at each `configure`, so the file is also what
/// a restarted BIRD announces: Fulcrum's state survives BIRD's restarts.
///
/// The protocol is always written, empty when nothing is announced, so the
/// operator's filters always find the name it names.
public enum BIRDStaticProtocol {
    /// `routes`: (address, prefix length) of the VIPs to announce.
    public static func render(protocol name: String, interface: String, routes: [(address: String, prefixLength: Int)]) -> String {
        var text = "# Written by fulcrum (bgp_defs bird_include): the VIPs this node announces now. Do not edit.\n"
        text += "protocol static \(name) {\n\tipv4;\n"
        for r in routes { text += "\troute \(r.address)/\(r.prefixLength) via \"\(interface)\";\n" }
        text += "}\n"
        return text
    }

    /// The routes a file written by `render` announces ("ADDRESS/PREFIX"),
    /// or nil when the text is not one of ours.
    public static func routes(in text: String) -> [String]? {
        guard text.hasPrefix("# Written by fulcrum") else { return nil }
        return text.split(separator: "\n").compactMap { line in
            let w = line.split(separator: " ", omittingEmptySubsequences: true)
            guard w.count >= 2, w[0].hasSuffix("route") else { return nil }
            return String(w[1])
        }
    }
}
