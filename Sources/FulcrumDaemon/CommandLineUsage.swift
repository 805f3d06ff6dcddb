/// The usage text `-h` prints (to stderr, exit 1, as `haproxy -h`).
extension CommandLineOptions {
    public static let usage = """
        Usage : fulcrum [-f <cfgfile|cfgdir>]* [ -vdVD ] [ -n <maxconn> ] [ -N <maxpconn> ]
                [ -p <pidfile> ] [ -m <max megs> ] [ -C <dir> ] [-- <cfgfile>*]
                -v displays version ; -vv shows known build options.
                -h shows this help
                -f <cfgfile|cfgdir> loads a file, or every *.cfg of a directory in lexical order
                -d foreground with debug log on stderr ; -db only disables background mode.
                -dM[<byte>] poisons pooled buffers with <byte> (default 0x50) when taken
                -V enters verbose mode (disables quiet mode)
                -D goes daemon ; -C changes to <dir> before loading files.
                -W master-worker mode (always on).
                -Ws master-worker mode with systemd notify support.
                -q quiet mode : don't display messages
                -c check mode : only check config files and exit
                -cc check condition : evaluate a condition and exit (0 true, 1 false, 2 error)
                -n sets the maximum total # of connections (global maxconn)
                -m limits the usable amount of memory (in MB, RLIMIT_AS)
                -N sets the default, per-proxy maximum # of connections
                -L set local peer name (default to hostname; HAPROXY_LOCALPEER)
                -p writes the master's pid to this file
                -dr ignores server address resolution failures (the server starts in maintenance)
                -dV disables SSL verify on servers side
                -dW fails if any warning is emitted
                -sf/-st [pid ]* finishes/terminates old pids once this instance serves.
                -x <unix_socket> get listening sockets from a unix socket
                -S <bind>[,<bind options>...] new master CLI
                -i <id> keepalived config id: lines '@id ...' apply, '@^id ...' do not (default: the host name up to its first '.')
        """
}
