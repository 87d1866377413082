"""A private Debian dovecot on loopback for the IMAP tests (``sanad mail fetch``).

One instance per test process: its own configuration, runtime and state directories in a
temporary directory, plaintext log-in on 127.0.0.1 at a free port, a passwd-file passdb and
a Maildir per user. Each test gets a fresh user (so a fresh, empty INBOX) with
``Dovecot.new_mailbox``; messages are put in by IMAP APPEND, as a mail client would.

Run as root, dovecot's log-in processes need an unprivileged user and mail may not belong
to uid 0: Debian's package creates ``dovenull`` and ``dovecot``, and the Maildirs belong to
``dovecot``. Run as anyone else, everything runs as that user.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.mail import free_port

START_TIMEOUT = 15.0
USERS = 500  # mailboxes per test process, each test one


class DovecotUnavailable(Exception):
    """dovecot is not installed, or would not start; the message says why."""


@dataclass(frozen=True)
class Mailbox:
    """One user's INBOX on the private server."""

    host: str
    port: int
    user: str
    password: str

    def connect(self) -> imaplib.IMAP4:
        imap = imaplib.IMAP4(self.host, self.port, timeout=10)
        imap.login(self.user, self.password)
        return imap

    def append(self, *messages: bytes) -> None:
        """Deliver ``messages`` to the INBOX, unseen."""
        with self.connect() as imap:
            for raw in messages:
                status, answer = imap.append("INBOX", "", None, raw)
                assert status == "OK", answer

    def flags(self) -> list[set[str]]:
        """The flags of each message, in order."""
        with self.connect() as imap:
            imap.select("INBOX", readonly=True)
            _, found = imap.uid("SEARCH", "ALL")
            result: list[set[str]] = []
            for uid in (found[0] or b"").split():
                _, data = imap.uid("FETCH", uid, "(FLAGS)")  # type: ignore[arg-type]
                line = data[0]
                text = line.decode() if isinstance(line, bytes) else str(line)
                inner = text.partition("FLAGS (")[2].partition(")")[0]
                result.append(set(inner.split()))
            return result


class Dovecot:
    """A running private dovecot; ``stop()`` ends it and removes its directory."""

    def __init__(self) -> None:
        binary = shutil.which("dovecot") or (
            "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else None
        )
        if binary is None:
            raise DovecotUnavailable(
                "dovecot is not installed: `make install-test` installs Debian's dovecot-imapd "
                "(or: apt-get install dovecot-imapd)"
            )
        self.binary = binary
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="sanad-dovecot-"))
        self.root.chmod(0o755)  # the mail user (not root) walks into home/
        self.passwd = self.root / "passwd"
        # Every user written before the start: dovecot notices a changed passwd-file by its
        # modification time, in whole seconds, so users added later might not log in yet.
        self._users = [(f"u{n}", secrets.token_hex(8)) for n in range(USERS)]
        self.passwd.write_text("".join(f"{u}:{{PLAIN}}{p}\n" for u, p in self._users))
        self.home = self.root / "home"
        self.home.mkdir()
        if os.geteuid() == 0:
            login_user, internal_user = "dovenull", "dovecot"
            try:
                mail_user = pwd.getpwnam("dovecot")
                pwd.getpwnam("dovenull")
            except KeyError as exc:
                raise DovecotUnavailable(f"dovecot's system users are missing: {exc}") from None
        else:
            mail_user = pwd.getpwuid(os.geteuid())
            login_user = internal_user = mail_user.pw_name
        os.chown(self.home, mail_user.pw_uid, mail_user.pw_gid)
        self.config = self.root / "dovecot.conf"
        self.config.write_text(
            _CONFIG.format(
                root=self.root,
                port=self.port,
                login_user=login_user,
                internal_user=internal_user,
                internal_group=internal_user,
                uid=mail_user.pw_uid,
                gid=mail_user.pw_gid,
            )
        )
        (self.root / "run").mkdir()
        (self.root / "state").mkdir()
        # Output to a file, not a pipe: the daemon keeps its inherited descriptors open.
        output = self.root / "start.log"
        with output.open("w") as sink:
            started = subprocess.run(
                [self.binary, "-c", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                check=False,
            )
        if started.returncode != 0:
            said = output.read_text(errors="replace").strip()[:500]
            self._remove()
            raise DovecotUnavailable(f"dovecot would not start: {said}")
        self._wait_ready()

    def _log(self) -> str:
        log = self.root / "dovecot.log"
        return log.read_text(errors="replace")[-1000:] if log.exists() else ""

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe,
            ):
                if probe.recv(64).startswith(b"* OK"):
                    return
            time.sleep(0.05)
        log = self._log()
        self.stop()
        raise DovecotUnavailable(f"dovecot did not answer on 127.0.0.1:{self.port}: {log}")

    def new_mailbox(self) -> Mailbox:
        """An unused user, so an empty INBOX."""
        if not self._users:
            raise DovecotUnavailable(f"all {USERS} mailboxes of the private dovecot are used")
        user, password = self._users.pop()
        return Mailbox("127.0.0.1", self.port, user, password)

    def _master_pid(self) -> int | None:
        pid_file = self.root / "run" / "master.pid"
        try:
            return int(pid_file.read_text().strip())
        except (OSError, ValueError):
            return None

    def stop(self) -> None:
        pid = self._master_pid()
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)
        self._remove()

    def _remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


_CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
mail_location = maildir:{root}/home/%u/Maildir
first_valid_uid = {uid}
first_valid_gid = {gid}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""
