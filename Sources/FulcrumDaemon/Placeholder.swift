// FulcrumDaemon
