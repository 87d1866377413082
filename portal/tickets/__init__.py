"""Tickets: the "still need help?" path. Opening (with the self-service trail), the
conversation, assignment, escalation, resolution with linked articles, ratings, attachments,
canned responses and article flags. Views call ``portal.tickets.services``."""
