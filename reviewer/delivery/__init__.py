"""Where a digest goes: the archive on disk, the e-mail message, SMTP, the send ledger,
the send itself, and the schedule (cron, systemd)."""
