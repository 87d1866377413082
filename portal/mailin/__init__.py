"""Mail in: messages to the support address become tickets and replies (docs/mail.md)."""
