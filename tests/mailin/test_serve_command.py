"""``sanad mail serve --host H --port P`` as a process: it listens, a mail sent to the support
address opens an ``email`` ticket, another recipient is refused, and SIGTERM stops it."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from portal.config import PROJECT_ROOT
from portal.db import transaction
from portal.tickets.models import Ticket
from tests.support.mail import free_port

pytestmark = pytest.mark.db

SUPPORT = "help@example.org"


def _wait_until_listening(port: int, proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    pytest.fail("sanad mail serve never listened")


def test_mail_serve_takes_mail_for_the_support_address_until_stopped(
    app: Flask, tmp_path: Path, database_url: str, articles_dir: Path
) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SANAD_")}
    env.update(
        PYTHONPATH=str(PROJECT_ROOT),
        PYTHONUNBUFFERED="1",
        SANAD_DATABASE_URL=database_url,
        SANAD_INSTANCE_DIR=str(tmp_path / "instance"),
        SANAD_ARTICLES_DIR=str(articles_dir),
        SANAD_INDEX_DIR=str(tmp_path / "search_index"),
        SANAD_SECRET_KEY="mail-serve",
        SANAD_SMTP_FROM=f"Help desk <{SUPPORT}>",
    )
    port = free_port()
    command = ["mail", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [sys.executable, "-c", "from portal.cli import main; main()", *command],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_until_listening(port, proc)
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "sara@example.net", SUPPORT, "Printer offline"
        mail["Message-ID"] = "<serve-1@mail.example.net>"
        mail.set_content("It says offline.")
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.send_message(mail)
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                client.send_message(mail, to_addrs=["someone@else.org"])
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            out, _ = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate(timeout=10)
    assert proc.returncode == 0
    assert f"taking mail by SMTP on 127.0.0.1:{port} for {SUPPORT}" in out
    with transaction(app.extensions["sanad"].sessions) as session:
        opened = session.execute(select(Ticket.subject, Ticket.channel)).all()
    assert [tuple(row) for row in opened] == [("Printer offline", "email")]
