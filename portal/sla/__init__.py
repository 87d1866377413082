"""Business-hours calendars and service-level targets: pure arithmetic, no database, no Flask.

``calendar`` adds and measures working time; ``policy`` chooses a ticket's targets and tells
its state. ``portal.tickets.service_levels`` stores and applies them.
"""
