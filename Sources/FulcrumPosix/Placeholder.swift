// FulcrumPosix
