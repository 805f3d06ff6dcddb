// modules: FulcrumBytes FulcrumLog FulcrumConfig
// A keepalived.conf as `fulcrum -f` reads it (an empty global_defs block in
// front keeps the text keepalived's whatever its first line becomes): text
// in, VRRP configuration or diagnostics out, never a trap.
import FulcrumConfig

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzKeepalivedConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = "global_defs {\n}\n" + FuzzInput(data, size).text
    let result = ConfigParser.parse([ConfigSource(name: "keepalived.conf", text: text, isFile: true)],
                                    environment: ["HOME": "/root"])
    _ = result.hasErrors
    return 0
}
