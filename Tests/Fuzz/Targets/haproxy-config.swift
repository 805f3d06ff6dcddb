// modules: FulcrumBytes FulcrumLog FulcrumConfig
// An haproxy.cfg as `fulcrum -f` reads it: text in, a configuration or
// diagnostics out, never a trap. Every alert names where it is.
import FulcrumConfig

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHAProxyConfig(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = FuzzInput(data, size).text
    let result = ConfigParser.parse([ConfigSource(name: "fuzz.cfg", text: text, isFile: true)],
                                    environment: ["HOME": "/root", "PORT": "8080", "ADDR": "127.0.0.1"])
    _ = result.hasErrors
    return 0
}
