import FulcrumBytes

extension ASCII {
    /// HAProxy's HTTP_IS_VER_TOKEN: the only bytes it lets into a version.
    @inline(__always)
    static func isVersionByte(_ c: UInt8) -> Bool {
        switch c {
        case 0x48, 0x54, 0x50, 0x2F, 0x2E, 0x30...0x39: return true  // H T P / . digits
        default: return false
        }
    }
}
