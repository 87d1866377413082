"""Tickets: the "still need help?" path, one module per use case (docs/architecture.md).

Each use case is one function run inside the caller's transaction (``with
transaction(factory) as session: result = open_ticket(session, ...)``); a failure raises
before or during the flush and the transaction leaves nothing half-written. Who may do what
is decided here, not in views: ``viewer`` is the logged-in ``UserInfo`` (None for an
anonymous visitor), and tickets the viewer may not see raise ``TicketNotFound``, the same as
missing ones. Mail is returned in ``TicketResult.mails`` for the caller to send after the
commit (``portal.notify.mail.send_mails``).
"""
