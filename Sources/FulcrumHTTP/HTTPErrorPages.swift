/// HAProxy 2.6's default error responses (placeholder; replaced by the captured bytes).
public enum HTTPErrorPages {
    public static func response(status: Int) -> [UInt8] { [] }
}
