import FulcrumBytes
import FulcrumConfig
import FulcrumHTTP

/// `option forwardfor`: appends the client address in X-Forwarded-For (or
/// `header NAME`), unless the client is in `except NET` or, with `if-none`,
/// the request already carries the field.
public enum ForwardedFor {
    public static func apply(_ f: ForwardFor, head: inout HTTPHead, source: IPAddress) {
        if let except = f.except, except.contains(source) { return }
        if f.ifNone && head.hasField(f.header) { return }
        var value: [UInt8] = []
        value.reserveCapacity(IPAddress.maximumTextLength)
        source.appendText(to: &value)
        head.add(f.header, value)
    }
}

/// `option originalto`: appends the address the client connected to, unless
/// it is in the frontend's or the backend's `except` network (HAProxy checks
/// both); the backend's header name first.
public enum OriginalTo {
    public static func apply(frontend: ForwardFor?, backend: ForwardFor?, head: inout HTTPHead, destination: IPAddress) {
        if frontend?.except?.contains(destination) == true || backend?.except?.contains(destination) == true { return }
        guard var field = backend ?? frontend else { return }
        field.except = nil
        ForwardedFor.apply(field, head: &head, source: destination)
    }
}
