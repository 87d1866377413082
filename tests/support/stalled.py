"""A loopback TCP listener that plays a database which accepts connections and never answers.

``StalledListener()`` accepts every connection and then says nothing, like a PostgreSQL
server whose host froze or whose disk hangs. ``forward_to(host, port)`` turns it into a plain
TCP proxy to a real server (the database "comes back"); ``stall()`` turns it back, dropping
the connections it was relaying, so pooled connections find out at once and new ones hang.
Used by the outage tests and by ``bench/faults.py stalled``.
"""

from __future__ import annotations

import contextlib
import socket
import threading
from types import TracebackType


class StalledListener:
    """Listens on 127.0.0.1 (a free port); stalls until told to forward."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.port: int = self._server.getsockname()[1]
        self._lock = threading.Lock()
        self._target: tuple[str, int] | None = None
        self._held: list[socket.socket] = []  # stalled clients, kept open and never read
        self._relayed: list[socket.socket] = []  # both ends of every forwarded connection
        self._closed = False
        self.accepted = 0
        self._thread = threading.Thread(target=self._accept, name="stalled-db", daemon=True)
        self._thread.start()

    def url(self, user: str = "postgres", database: str = "test") -> str:
        """A PostgreSQL URL pointing at this listener."""
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def forward_to(self, host: str, port: int) -> None:
        """From now on, relay new connections to ``host:port``; stalled ones are dropped."""
        with self._lock:
            self._target = (host, port)
            held, self._held = self._held, []
        for sock in held:
            _close(sock)

    def stall(self) -> None:
        """From now on, accept and never answer; connections being relayed are dropped."""
        with self._lock:
            self._target = None
            relayed, self._relayed = self._relayed, []
        for sock in relayed:
            _close(sock)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            sockets = [*self._held, *self._relayed]
            self._held, self._relayed = [], []
        _close(self._server)
        for sock in sockets:
            _close(sock)

    def __enter__(self) -> StalledListener:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _address = self._server.accept()
            except OSError:
                return  # closed
            with self._lock:
                self.accepted += 1
                target = self._target
                if self._closed:
                    _close(client)
                    return
                if target is None:
                    self._held.append(client)
                    continue
            self._relay(client, target)

    def _relay(self, client: socket.socket, target: tuple[str, int]) -> None:
        try:
            upstream = socket.create_connection(target, timeout=5)
            upstream.settimeout(None)
        except OSError:
            _close(client)
            return
        with self._lock:
            self._relayed += [client, upstream]
        for source, sink in ((client, upstream), (upstream, client)):
            threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        _close(source)
        _close(sink)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    with contextlib.suppress(OSError):
        sock.close()
