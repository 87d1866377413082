"""Starts the per-process mail sender of ``portal.notify.outbox`` for a web application: it
sends right after a commit that queued mail; retries and anything left over are the job
runner's ``mail_outbox`` job (portal.jobs), so the sender no longer polls on its own.

Test applications get none: their tests call ``deliver_due`` when they want mail to leave,
so nothing is sent behind their back by a thread that outlives the test.
"""

from __future__ import annotations

from flask import Flask

from portal import Services
from portal.notify.outbox import install_sender

EXTENSION = "sanad_outbox"


def init_outbox(app: Flask, services: Services) -> None:
    if services.settings.testing:
        return
    sender = install_sender(services.sessions, services.settings.mail, interval=None)
    app.extensions[EXTENSION] = sender
    services.closers.append(sender.close)
