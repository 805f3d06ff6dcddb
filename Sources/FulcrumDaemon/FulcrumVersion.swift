/// Version strings for -v, -vv and `show proc`.
public enum FulcrumVersion {
    public static let string = "0.1.0"
    public static let date = "2026/11/21"
}
