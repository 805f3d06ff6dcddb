import XCTest
@testable import FulcrumCore

/// Output captured from the real HAProxy 2.6.12 on this machine.
enum HAProxyCapture {
    /// `help` at any level on a worker (HAProxy 2.6 lists every command whatever the level).
    static let workerHelpLines = """
  abort ssl ca-file <cafile>              : abort a transaction for a CA file
  abort ssl cert <certfile>               : abort a transaction for a certificate file
  abort ssl crl-file <crlfile>            : abort a transaction for a CRL file
  add acl [@<ver>] <acl> <pattern>        : add an acl entry
  add map [@<ver>] <map> <key> <val>      : add a map entry (payload supported instead of key/val)
  add server <bk>/<srv>                   : create a new server
  add ssl crt-list <list> <cert> [opts]*  : add to crt-list file <list> a line <cert> or a payload
  clear acl [@<ver>] <acl>                : clear the contents of this acl
  clear counters [all]                    : clear max statistics counters (or all counters)
  clear map [@<ver>] <map>                : clear the contents of this map
  clear table <table> [<filter>]*         : remove an entry from a table (filter: data/key)
  commit acl @<ver> <acl>                 : commit the ACL at this version
  commit map @<ver> <map>                 : commit the map at this version
  commit ssl ca-file <cafile>             : commit a CA file
  commit ssl cert <certfile>              : commit a certificate file
  commit ssl crl-file <crlfile>           : commit a CRL file
  del acl <acl> [<key>|#<ref>]            : delete acl entries matching <key>
  del map <map> [<key>|#<ref>]            : delete map entries matching <key>
  del server <bk>/<srv>                   : remove a dynamically added server
  del ssl ca-file <cafile>                : delete an unused CA file
  del ssl cert <certfile>                 : delete an unused certificate file
  del ssl crl-file <crlfile>              : delete an unused CRL file
  del ssl crt-list <list> <cert[:line]>   : delete a line <cert> from crt-list file <list>
  disable agent                           : disable agent checks
  disable dynamic-cookie backend <bk>     : disable dynamic cookies on a specific backend
  disable frontend <frontend>             : temporarily disable specific frontend
  disable health                          : disable health checks
  disable server (DEPRECATED)             : disable a server for maintenance (use 'set server' instead)
  enable agent                            : enable agent checks
  enable dynamic-cookie backend <bk>      : enable dynamic cookies on a specific backend
  enable frontend <frontend>              : re-enable specific frontend
  enable health                           : enable health checks
  enable server  (DEPRECATED)             : enable a disabled server (use 'set server' instead)
  get acl <acl> <value>                   : report the patterns matching a sample for an ACL
  get map <acl> <value>                   : report the keys and values matching a sample for a map
  get var <name>                          : retrieve contents of a process-wide variable
  get weight <bk>/<srv>                   : report a server's current weight
  new ssl ca-file <cafile>                : create a new CA file to be used in a crt-list
  new ssl cert <certfile>                 : create a new certificate file to be used in a crt-list or a directory
  new ssl crlfile <crlfile>               : create a new CRL file to be used in a crt-list
  operator                                : lower the level of the current CLI session to operator
  prepare acl <acl>                       : prepare a new version for atomic ACL replacement
  prepare map <acl>                       : prepare a new version for atomic map replacement
  set dynamic-cookie-key backend <bk> <k> : change a backend secret key for dynamic cookies
  set map <map> [<key>|#<ref>] <value>    : modify a map entry
  set maxconn frontend <frontend> <value> : change a frontend's maxconn setting
  set maxconn global <value>              : change the per-process maxconn setting
  set maxconn server <bk>/<srv>           : change a server's maxconn setting
  set profiling <what> {auto|on|off}      : enable/disable resource profiling (tasks,memory)
  set rate-limit <setting> <value>        : change a rate limiting value
  set server <bk>/<srv> [opts]            : change a server's state, weight, address or ssl
  set severity-output [none|number|string]: set presence of severity level in feedback information
  set ssl ca-file <cafile> <payload>      : replace a CA file
  set ssl cert <certfile> <payload>       : replace a certificate file
  set ssl crl-file <crlfile> <payload>    : replace a CRL file
  set ssl ocsp-response <resp|payload>    : update a certificate's OCSP Response from a base64-encode DER
  set ssl tls-key [id|file] <key>         : set the next TLS key for the <id> or <file> listener to <key>
  set table <table> key <k> [data.* <v>]* : update or create a table entry's data
  set timeout [cli] <delay>               : change a timeout setting
  set weight <bk>/<srv>  (DEPRECATED)     : change a server's weight (use 'set server' instead)
  show acl [@<ver>] <acl>]                : report available acls or dump an acl's contents
  show activity                           : show per-thread activity stats (for support/developers)
  show backend                            : list backends in the current running config
  show cache                              : show cache status
  show cli level                          : display the level of the current CLI session
  show cli sockets                        : dump list of cli sockets
  show env [var]                          : dump environment variables known to the process
  show errors [<px>] [request|response]   : report last request and/or response errors for each proxy
  show events [<sink>] [-w] [-n]          : show event sink state
  show fd [num]                           : dump list of file descriptors in use or a specific one
  show info [desc|json|typed|float]*      : report information about the running process
  show libs                               : show loaded object files and libraries
  show map [@ver] [map]                   : report available maps or dump a map's contents
  show peers [dict|-] [section]           : dump some information about all the peers or this peers section
  show pools                              : report information about the memory pools usage
  show profiling [<what>|<#lines>|byaddr]*: show profiling state (all,status,tasks,memory)
  show resolvers [id]                     : dumps counters from all resolvers section and associated name servers
  show schema json                        : report schema used for stats
  show servers conn [<backend>]           : dump server connections status (all or for a single backend)
  show servers state [<backend>]          : dump volatile server information (all or for a single backend)
  show sess [id]                          : report the list of current sessions or dump this exact session
  show ssl ca-file [<cafile>[:<index>]]   : display the SSL CA files used in memory, or the details of a <cafile>, or a single certificate of index <index> of a CA file <cafile>
  show ssl cert [<certfile>]              : display the SSL certificates used in memory, or the details of a file
  show ssl crl-file [<crlfile[:<index>>]] : display the SSL CRL files used in memory, or the details of a <crlfile>, or a single CRL of index <index> of CRL file <crlfile>
  show ssl crt-list [-n] [<list>]         : show the list of crt-lists or the content of a crt-list file <list>
  show ssl ocsp-response [id]             : display the IDs of the OCSP responses used in memory, or the details of a single OCSP response
  show ssl providers                      : show loaded SSL providers
  show startup-logs                       : report logs emitted during HAProxy startup
  show stat [desc|json|no-maint|typed|up]*: report counters for each proxy and server
  show table <table> [<filter>]*          : report table usage stats or dump this table's contents (filter: data/key)
  show tasks                              : show running tasks
  show threads                            : show some threads debugging information
  show tls-keys [id|*]                    : show tls keys references or dump tls ticket keys when id specified
  show trace [<module>]                   : show live tracing state
  show version                            : show version of the current process
  shutdown frontend <frontend>            : stop a specific frontend
  shutdown session [id]                   : kill a specific session
  shutdown sessions server <bk>/<srv>     : kill sessions on a server
  trace [<module>|0] [cmd [args...]]      : manage live tracing (empty to list, 0 to stop all)
  user                                    : lower the level of the current CLI session to user
"""

    /// `show stat` header line.
    static let statHeader = "# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,"

    /// `show stat` rows of the config mirrored by `RuntimeFixture` (fe1; be1: s1 checked
    /// L4OK maxconn 20 weight 10, s2 checked L4CON, s3 backup unchecked; be2: a disabled, b).
    static let statRows: [String: String] = [
        "fe1,FRONTEND": "fe1,FRONTEND,,,0,0,100,0,0,0,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,0,0,0,,,,,,,,,,,0,0,0,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,tcp,,0,0,0,,0,0,0,,,,,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
        "be1,s1": "be1,s1,0,0,0,0,20,0,0,0,,0,,0,0,0,0,UP,10,1,0,0,0,2,0,,1,3,1,,0,,2,0,,0,L4OK,,0,,,,,,,,,,,0,0,,,,,-1,,,0,0,0,0,,,,Layer4 check passed,,2,3,4,,,,127.0.0.1:18091,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,10,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
        "be1,s2": "be1,s2,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,1,1,,1,3,2,,0,,2,0,,0,L4CON,,0,,,,,,,,,,,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,Layer4 connection problem,,2,3,0,,,,127.0.0.1:18092,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
        "be1,s3": "be1,s3,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,1,0,1,,,2,,,1,3,3,,0,,2,0,,0,,,,,,,,,,,,,,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:18093,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
        "be1,BACKEND": "be1,BACKEND,0,0,0,0,10,0,0,0,0,0,,0,0,0,0,UP,10,1,1,,0,2,0,,1,3,0,,0,,1,0,,0,,,,,,,,,,,,,,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,tcp,roundrobin,,,,,,,0,0,0,,,,,0,0,0,0,0,,,,,10,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
        "be2,a": "be2,a,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,,,2,,,1,4,1,,0,,2,0,,0,,,,,,,,,,,,,,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:18094,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
        "be2,b": "be2,b,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,1,1,0,,,2,,,1,4,2,,0,,2,0,,0,,,,,,,,,,,,,,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:18095,,tcp,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,",
        "be2,BACKEND": "be2,BACKEND,0,0,0,0,1,0,0,0,0,0,,0,0,0,0,UP,1,1,0,,0,2,0,,1,4,0,,0,,1,0,,0,,,,,,,,,,,,,,0,0,0,0,0,0,-1,,,0,0,0,0,,,,,,,,,,,,,,tcp,static-rr,,,,,,,0,0,0,,,,,0,0,0,0,0,,,,,1,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,",
    ]

    /// `show stat typed` lines of be1/s1 in that state.
    static let typedServerLines = """
S.3.1.0.pxname.1:KNS:str:be1
S.3.1.1.svname.1:KNS:str:s1
S.3.1.2.qcur.1:MGP:u32:0
S.3.1.3.qmax.1:MMP:u32:0
S.3.1.4.scur.1:MGP:u32:0
S.3.1.5.smax.1:MMP:u32:0
S.3.1.6.slim.1:CLP:u32:20
S.3.1.7.stot.1:MCP:u64:0
S.3.1.8.bin.1:MCP:u64:0
S.3.1.9.bout.1:MCP:u64:0
S.3.1.11.dresp.1:MCP:u64:0
S.3.1.13.econ.1:MCP:u64:0
S.3.1.14.eresp.1:MCP:u64:0
S.3.1.15.wretr.1:MCP:u64:0
S.3.1.16.wredis.1:MCP:u64:0
S.3.1.17.status.1:SGP:str:UP
S.3.1.18.weight.1:MaP:u32:10
S.3.1.19.act.1:SGP:u32:1
S.3.1.20.bck.1:SGP:u32:0
S.3.1.21.chkfail.1:MCP:u64:0
S.3.1.22.chkdown.1:MCP:u64:0
S.3.1.23.lastchg.1:MAP:u32:9
S.3.1.24.downtime.1:MCP:u32:0
S.3.1.26.pid.1:KGP:u32:1
S.3.1.27.iid.1:KGS:u32:3
S.3.1.28.sid.1:KGS:u32:1
S.3.1.30.lbtot.1:MCP:u64:0
S.3.1.32.type.1:CGS:u32:2
S.3.1.33.rate.1:MRP:u32:0
S.3.1.35.rate_max.1:MMP:u32:0
S.3.1.36.check_status.1:MOP:str:L4OK
S.3.1.38.check_duration.1:MDP:u64:0
S.3.1.49.cli_abrt.1:MCP:u64:0
S.3.1.50.srv_abrt.1:MCP:u64:0
S.3.1.55.lastsess.1:MAP:s32:-1
S.3.1.56.last_chk.1:MOP:str:
S.3.1.58.qtime.1:MaP:u32:0
S.3.1.59.ctime.1:MaP:u32:0
S.3.1.60.rtime.1:MaP:u32:0
S.3.1.61.ttime.1:MaP:u32:0
S.3.1.65.check_desc.1:MOP:str:Layer4 check passed
S.3.1.67.check_rise.1:CGS:u32:2
S.3.1.68.check_fall.1:CGS:u32:3
S.3.1.69.check_health.1:CGS:u32:4
S.3.1.73.addr.1:CGS:str:127.0.0.1:18091
S.3.1.75.mode.1:CGS:str:tcp
S.3.1.83.wrew.1:MCP:u64:0
S.3.1.84.connect.1:MCP:u64:0
S.3.1.85.reuse.1:MCP:u64:0
S.3.1.88.srv_icur.1:MGP:u32:0
S.3.1.90.qtime_max.1:MMP:u32:0
S.3.1.91.ctime_max.1:MMP:u32:0
S.3.1.92.rtime_max.1:MMP:u32:0
S.3.1.93.ttime_max.1:MMP:u32:0
S.3.1.94.eint.1:MCP:u64:0
S.3.1.95.idle_conn_cur.1:MGP:u32:0
S.3.1.96.safe_conn_cur.1:MGP:u32:0
S.3.1.97.used_conn_cur.1:MGP:u32:0
S.3.1.98.need_conn_est.1:MGP:u32:1
S.3.1.99.uweight.1:MaP:u32:10
S.3.1.103.ssl_sess.1:MCP:u64:0
S.3.1.104.ssl_reused_sess.1:MCP:u64:0
S.3.1.105.ssl_failed_handshake.1:MCP:u64:0
"""

    /// Start of `show stat json`.
    static let jsonStart = #"[[{"objType":"Frontend","proxyId":2,"id":0,"field":{"pos":0,"name":"pxname"},"processNum":1,"tags":{"origin":"Key","nature":"Name","scope":"Service"},"value":{"type":"str","value":"fe1"}},{"objType":"Frontend","proxyId":2,"id":0,"field":{"pos":1,"name":"svname"},"processNum":1,"tags":{"origin":"Key","nature":"Name","scope":"Service"},"value":{"type":"str","value":"FRONTEND"}},{"objType":"Frontend","proxyId":2,"id":0,"field":{"pos":4,"name":"scur"},"processNum":1,"tags":{"origin":"Metric","nature":"Gauge","scope":"Process"},"value":{"type":"u32","value":0}},"#

    /// `show servers state` (lastchg 30 s after start).
    static let serversState = """
1
# be_id be_name srv_id srv_name srv_addr srv_op_state srv_admin_state srv_uweight srv_iweight srv_time_since_last_change srv_check_status srv_check_result srv_check_health srv_check_state srv_agent_state bk_f_forced_id srv_f_forced_id srv_fqdn srv_port srvrecord srv_use_ssl srv_check_port srv_check_addr srv_agent_addr srv_agent_port
3 be1 1 s1 127.0.0.1 2 0 10 10 30 6 3 4 6 0 0 0 - 18091 - 0 0 - - 0
3 be1 2 s2 127.0.0.1 0 0 1 1 30 8 2 0 6 0 0 0 - 18092 - 0 0 - - 0
3 be1 3 s3 127.0.0.1 2 0 1 1 30 1 0 2 0 0 0 0 - 18093 - 0 0 - - 0
4 be2 1 a 127.0.0.1 0 5 1 1 30 1 0 0 8 0 0 0 - 18094 - 0 0 - - 0
4 be2 2 b 127.0.0.1 2 0 1 1 30 1 0 2 0 0 0 0 - 18095 - 0 0 - - 0

"""

    /// Names of `show info` in order (HAProxy 2.6 without zlib, no description).
    static let infoNames = ["Name", "Version", "Release_date", "Nbthread", "Nbproc", "Process_num", "Pid", "Uptime", "Uptime_sec", "Memmax_MB", "PoolAlloc_MB", "PoolUsed_MB", "PoolFailed", "Ulimit-n", "Maxsock", "Maxconn", "Hard_maxconn", "CurrConns", "CumConns", "CumReq", "MaxSslConns", "CurrSslConns", "CumSslConns", "Maxpipes", "PipesUsed", "PipesFree", "ConnRate", "ConnRateLimit", "MaxConnRate", "SessRate", "SessRateLimit", "MaxSessRate", "SslRate", "SslRateLimit", "MaxSslRate", "SslFrontendKeyRate", "SslFrontendMaxKeyRate", "SslFrontendSessionReuse_pct", "SslBackendKeyRate", "SslBackendMaxKeyRate", "SslCacheLookups", "SslCacheMisses", "CompressBpsIn", "CompressBpsOut", "CompressBpsRateLim", "Tasks", "Run_queue", "Idle_pct", "node", "Stopping", "Jobs", "Unstoppable Jobs", "Listeners", "ActivePeers", "ConnectedPeers", "DroppedLogs", "BusyPolling", "FailedResolutions", "TotalBytesOut", "TotalSplicdedBytesOut", "BytesOutRate", "DebugCommandsIssued", "CumRecvLogs", "Build info", "Memmax_bytes", "PoolAlloc_bytes", "PoolUsed_bytes", "Start_time_sec", "Tainted"]

    /// `show proc` on the master after one reload with an old worker still running.
    static let showProc = """
#<PID>          <type>          <reloads>       <uptime>        <version>      
15183           master          1 [failed: 0]   0d00h00m18s     2.6.12-1+deb12u4
# workers
15698           worker          0               0d00h00m01s     2.6.12-1+deb12u4
# old workers
15185           worker          1               0d00h00m18s     2.6.12-1+deb12u4
# programs

"""

    /// HAProxy's answers to unknown commands on a worker.
    static let unknownFoo = """
Unknown command, but maybe one of the following ones is a better match:
  add acl [@<ver>] <acl> <pattern>        : add an acl entry
  show fd [num]                           : dump list of file descriptors in use or a specific one
  show info [desc|json|typed|float]*      : report information about the running process
  trace [<module>|0] [cmd [args...]]      : manage live tracing (empty to list, 0 to stop all)
  user                                    : lower the level of the current CLI session to user
  help [<command>]                        : list matching or all commands
  prompt                                  : toggle interactive mode with prompt
  quit                                    : disconnect

"""
    static let unknownShowProc = """
Unknown command, but maybe one of the following ones is a better match:
  show acl [@<ver>] <acl>]                : report available acls or dump an acl's contents
  show errors [<px>] [request|response]   : report last request and/or response errors for each proxy
  show fd [num]                           : dump list of file descriptors in use or a specific one
  show peers [dict|-] [section]           : dump some information about all the peers or this peers section
  show pools                              : report information about the memory pools usage
  help [<command>]                        : list matching or all commands
  prompt                                  : toggle interactive mode with prompt
  quit                                    : disconnect

"""
    static let helpGet = """
The following commands are valid at this level:
  get acl <acl> <value>                   : report the patterns matching a sample for an ACL
  get map <acl> <value>                   : report the keys and values matching a sample for a map
  get var <name>                          : retrieve contents of a process-wide variable
  get weight <bk>/<srv>                   : report a server's current weight
  help [<command>]                        : list matching or all commands
  prompt                                  : toggle interactive mode with prompt
  quit                                    : disconnect

"""

    /// HAProxy's keyword table rebuilt from its help lines: the leading literal words.
    static var workerKeywords: [RuntimeKeyword] {
        workerHelpLines.split(separator: "\n").map { line in
            let usage = String(line.dropFirst(2))
            let colon = usage.index(usage.startIndex, offsetBy: 40)
            let syntax = String(usage[..<colon]).trimmingTrailingSpaces
            let summary = String(usage[usage.index(colon, offsetBy: 2)...])
            var words: [String] = []
            for t in syntax.split(separator: " ") {
                if let c = t.first, "[<({@".contains(c) || t.contains("<") { break }
                words.append(String(t))
            }
            return RuntimeKeyword(words, syntax, summary)
        }
    }
}

extension String {
    var trimmingTrailingSpaces: String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}

/// The fuzzy matcher reproduces HAProxy's own suggestions over HAProxy's table.
final class RuntimeHAProxyCaptureTests: XCTestCase {
    func testUnknownCommandSuggestionsMatchHAProxy() {
        let table = HAProxyCapture.workerKeywords
        XCTAssertEqual(table.count, 100)
        XCTAssertEqual(RuntimeHelp.usage(words: ["foo"], help: false, master: false, table: table), HAProxyCapture.unknownFoo)
        XCTAssertEqual(RuntimeHelp.usage(words: ["show", "proc"], help: false, master: false, table: table), HAProxyCapture.unknownShowProc)
    }

    func testHelpTopicMatchesHAProxy() {
        let table = HAProxyCapture.workerKeywords
        XCTAssertEqual(RuntimeHelp.usage(words: ["get"], help: true, master: false, table: table), HAProxyCapture.helpGet)
    }

    func testFullHelpListsEveryKeywordSorted() {
        let table = HAProxyCapture.workerKeywords
        let expected = "The following commands are valid at this level:\n" + HAProxyCapture.workerHelpLines + "\n"
            + RuntimeHelp.trailer
        XCTAssertEqual(RuntimeHelp.usage(words: [], help: true, master: false, table: table.reversed()), expected)
    }
}
