/// The formats HAProxy 2.6 declares in src/log.c, as the strings it parses
/// for them, so `option httplog` and its `log-format` equivalent produce the
/// same line by construction.
public enum PredefinedLogFormat: String, CaseIterable, Sendable {
    /// `option tcplog`.
    case tcplog
    /// `option httplog`.
    case httplog
    /// `option httplog clf`.
    case httplogCLF
    /// `option httpslog`.
    case httpslog

    public var formatString: String {
        switch self {
        case .tcplog:
            return "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq"
        case .httplog:
            return "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r"
        case .httplogCLF:
            return "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc %ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl"
        case .httpslog:
            return "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc"
        }
    }

    /// The parsed elements (the strings above always parse).
    public var elements: [LogFormatElement] {
        guard case .success(let elements) = LogFormatParser.parse(formatString, options: .logLine) else {
            preconditionFailure("HAProxy's predefined format \(self) must parse")
        }
        return elements
    }
}
