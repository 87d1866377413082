"""Outbound mail: the only code that speaks SMTP. Bilingual (ar/en) plain-text messages chosen
by the recipient's language; with no SMTP host configured, mail is written to the log."""
