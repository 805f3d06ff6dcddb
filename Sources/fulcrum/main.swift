import FulcrumDaemon
import Glibc

exit(Fulcrum.main(Array(CommandLine.arguments.dropFirst())))
