"""Access rows for /admin/outbox and /admin/mailbox (admins only) and the notification
choices of the profile (everyone signed in); message and mail 999999
do not exist (404)."""

from __future__ import annotations

from tests.web.access_common import ADMIN_PAGE, LOGIN

MISSING = (LOGIN, 403, 403, 403, 403, 404)

ROWS = {
    ("admin.outbox", "GET"): (ADMIN_PAGE, None),
    ("admin.retry_outbox", "POST"): (MISSING, {}),
    ("admin.mailbox", "GET"): (ADMIN_PAGE, None),
    ("admin.mailbox_mail", "GET"): (MISSING, None),
    # Everyone signed in chooses their own notifications; nothing ticked turns them all off.
    ("auth.save_notifications", "POST"): ((LOGIN, 303, 303, 303, 303, 303), {}),
}

ARGUMENTS = {"row_id": 999_999, "mail_id": 999_999}
