/// The kernel's netlink numbers (linux/netlink.h, rtnetlink.h, fib_rules.h,
/// if_link.h): stable ABI, written out so this module needs no C headers.
public enum NetlinkConstants {
    public static let requestFlag: UInt16 = 0x1       // NLM_F_REQUEST
    public static let ackFlag: UInt16 = 0x4           // NLM_F_ACK
    public static let exclusiveFlag: UInt16 = 0x200   // NLM_F_EXCL
    public static let createFlag: UInt16 = 0x400      // NLM_F_CREATE

    public static let newLink: UInt16 = 16, deleteLink: UInt16 = 17
    public static let newRoute: UInt16 = 24, deleteRoute: UInt16 = 25
    public static let newRule: UInt16 = 32, deleteRule: UInt16 = 33

    public static let inet: UInt8 = 2                 // AF_INET

    // struct rtmsg attributes
    public static let rtaDestination: UInt16 = 1, rtaOutputInterface: UInt16 = 4, rtaGateway: UInt16 = 5
    public static let rtaPriority: UInt16 = 6, rtaPreferredSource: UInt16 = 7, rtaMetrics: UInt16 = 8
    public static let rtaMultipath: UInt16 = 9, rtaTable: UInt16 = 15
    public static let rtaxMTU: UInt16 = 2, rtaxAdvMSS: UInt16 = 8
    public static let nexthopOnlink: UInt8 = 4        // RTNH_F_ONLINK
    /// rtm_table for tables above 255: the real one goes in RTA_TABLE.
    public static let tableCompat: UInt8 = 252        // RT_TABLE_COMPAT

    // struct fib_rule_hdr attributes and actions
    public static let fraDestination: UInt16 = 1, fraSource: UInt16 = 2, fraInputName: UInt16 = 3
    public static let fraGoto: UInt16 = 4, fraPriority: UInt16 = 6, fraFwmark: UInt16 = 10
    public static let fraSuppressPrefixLength: UInt16 = 14, fraTable: UInt16 = 15, fraFwmask: UInt16 = 16
    public static let fraOutputName: UInt16 = 17
    public static let ruleInvert: UInt32 = 2          // FIB_RULE_INVERT

    // links
    public static let iflaAddress: UInt16 = 1, iflaName: UInt16 = 3, iflaLink: UInt16 = 5
    public static let iflaLinkInfo: UInt16 = 18, iflaInfoKind: UInt16 = 1, iflaInfoData: UInt16 = 2
    public static let iflaMacvlanMode: UInt16 = 1
    public static let macvlanModePrivate: UInt32 = 1
    public static let interfaceUp: UInt32 = 1        // IFF_UP
}
