/// A recording SMTP server in Python's stdlib `smtpd` (Python 3.11 and
/// older): `python3 FILE OUT PORT REJECT [HOST]` appends every HELO, envelope
/// and message it receives to OUT as plain text; with a non-empty REJECT the
/// message is refused after DATA with that reply line. Shared by the
/// smtp-alert tests on loopback and the VRRP lab's mail test.
enum RecordingSMTPScript {
    /// Not named smtpd.py: that would shadow the module it imports.
    static let fileName = "mailsink.py"

    static let source = """
        import asyncore, smtpd, sys
        out, port, reject = sys.argv[1], int(sys.argv[2]), sys.argv[3] or None
        host = sys.argv[4] if len(sys.argv) > 4 else "127.0.0.1"
        def record(text):
            with open(out, "a") as f:
                f.write(text)
        class Channel(smtpd.SMTPChannel):
            def smtp_HELO(self, arg):
                record("HELO " + arg + "\\n")
                super().smtp_HELO(arg)
        class Server(smtpd.SMTPServer):
            channel_class = Channel
            def process_message(self, peer, mailfrom, rcpttos, data, **kw):
                record("MAIL " + mailfrom + "\\n")
                for r in rcpttos:
                    record("RCPT " + r + "\\n")
                record("DATA\\n" + data.decode() + "\\nEND\\n")
                return reject
        Server((host, port), None, decode_data=False)
        asyncore.loop()

        """
}
