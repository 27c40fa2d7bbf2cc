"""``cloudtoets serve --workers N`` on Linux: one listening socket per worker process.

uvicorn's own workers share one listening socket, and the worker that wakes first accepts every
connection that is waiting. A handful of keep-alive clients (a load balancer, a test tool) then all
end up on one worker while the others idle. Here every worker binds its own socket to the same
address with ``SO_REUSEPORT``, and the kernel spreads new connections over the listening sockets.

A worker starts to listen only after its app has started (uvicorn calls ``listen`` after the
lifespan start-up), so no connection is handed to a worker that cannot answer yet.

The supervisor imports the app's code (and uvicorn's protocols) once, before the first worker, and
forks the workers from itself: a worker only builds its app, which takes a fraction of a second,
instead of starting a new interpreter that imports everything again. A worker that stops is so
replaced within a second even while the other workers are busy (docs/decisions.md, 61). The
supervisor holds no threads and no database connections when it forks.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import multiprocessing.connection
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

APP = "cloudtoets.server.app:serve_app"
# How long workers get to finish their requests after a stop request before they are killed.
STOP_SECONDS = 30.0
# What uvicorn imports when a worker starts (``Config.load``): imported by the supervisor too.
UVICORN_PARTS = (
    "uvicorn",
    "uvicorn.lifespan.on",
    "uvicorn.loops.auto",
    "uvicorn.protocols.http.auto",
    "uvicorn.protocols.websockets.auto",
)


def reuse_port_supported() -> bool:
    """Linux spreads connections over ``SO_REUSEPORT`` sockets; elsewhere it does not."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _bound(host: str, port: int, *, address: bool, port_shared: bool) -> socket.socket:
    """A TCP socket bound to host:port, not listening; the flags set SO_REUSEADDR/SO_REUSEPORT."""
    family, kind, proto, _, where = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, int(address))
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, int(port_shared))
        sock.bind(where)
    except OSError:
        sock.close()
        raise
    return sock


def bind_reuse_port(host: str, port: int) -> socket.socket:
    """A worker's socket: bound to host:port next to the other workers' (``SO_REUSEPORT``)."""
    return _bound(host, port, address=True, port_shared=True)


def claim_port(host: str, port: int) -> socket.socket:
    """The port for this server's workers alone: OSError when anything else holds it.

    ``SO_REUSEPORT`` lets every process of the same user join a port, so a second
    ``cloudtoets serve`` on the same port would silently take half the connections. A plain
    bind first fails when anything listens there; the socket returned, bound with
    ``SO_REUSEPORT`` only, then makes that plain bind fail for the next server as well, also
    before its workers listen. It receives no connections itself.
    """
    _bound(host, port, address=True, port_shared=False).close()
    return _bound(host, port, address=False, port_shared=True)


def proxy_options(trusted: str) -> dict[str, Any]:
    """uvicorn's options for X-Forwarded-For and -Proto: believed only from ``trusted`` (the
    operator's proxies, ``CLOUDTOETS_FORWARDED_ALLOW_IPS``), not at all when that is empty.

    uvicorn itself believes them from 127.0.0.1 (or ``FORWARDED_ALLOW_IPS``): then a client on the
    same host could name any address and get past the login throttle per address.
    """
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": trusted}


def server_options(trusted: str) -> dict[str, Any]:
    """uvicorn's options for every way ``cloudtoets serve`` runs: no ``server: uvicorn`` header
    (it only tells an attacker what to look up), and forwarded headers as ``proxy_options``."""
    return {"server_header": False, **proxy_options(trusted)}


def preload(app: str) -> None:
    """Import the module of ``app`` ("module:function") and uvicorn's parts, so that a worker
    forked afterwards has them already; then move them out of the garbage collector's sight, so
    collections in the workers do not touch (and copy) the pages they share with the supervisor.
    """
    importlib.import_module(app.partition(":")[0])
    for name in UVICORN_PARTS:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()


def _worker(
    app: str,
    host: str,
    port: int,
    options: dict[str, Any],
    ready: Any,
    inherited: list[socket.socket],
) -> None:
    """One worker process: its own socket, its own app, uvicorn's graceful stop on SIGTERM.

    ``ready`` is set once the worker listens, so the supervisor can tell a worker that could not
    start (stop everything) from one that stopped while serving (replace it). ``inherited``: the
    supervisor's sockets that came along with the fork, closed here.
    """
    import uvicorn

    for sock in inherited:
        sock.close()

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets)
            if self.started:  # the app has started and the socket listens
                ready.set()

    # Ctrl+C reaches the whole process group; until uvicorn takes the signals over, the
    # supervisor's SIGTERM stops this process instead of a KeyboardInterrupt during start-up (the
    # supervisor's own handlers came along with the fork).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    options = {**server_options(""), **options}  # forwarded headers only when asked for
    server = Server(uvicorn.Config(app, factory=True, **options))
    server.run(sockets=[bind_reuse_port(host, port)])


class Supervisor:
    """Starts the workers, restarts one that stops while serving, and stops them all on request."""

    def __init__(
        self,
        count: int,
        host: str,
        port: int,
        options: dict[str, Any],
        report: Callable[[str], None],
        app: str = APP,
    ) -> None:
        """``app`` is the app factory ("module:function") every worker calls."""
        self.count, self.host, self.port, self.options = count, host, port, options
        self.app = app
        self.report = report
        self.stopping = threading.Event()
        self.failure: str | None = None
        self._context = multiprocessing.get_context("fork")
        self._workers: dict[int, tuple[Any, Any]] = {}  # slot: (process, its ready event)
        self._reservation: socket.socket | None = None

    def run(self, on_claimed: Callable[[], None] = lambda: None) -> str | None:
        """Serve until SIGINT or SIGTERM; the reason it stopped by itself, or None.

        ``on_claimed`` is called once the port is ours, before the workers start.
        """
        # Held for as long as the workers run: the port is taken at once (a clear error when it
        # is in use), and stays ours while a worker restarts.
        reservation = self._reservation = claim_port(self.host, self.port)
        on_claimed()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: self.stopping.set())
        try:
            try:
                preload(self.app)
            except ImportError as exc:
                return f"de app kon niet laden ({exc})"
            for slot in range(self.count):
                self._start(slot)
            while not self.stopping.is_set():
                # wakes as soon as a worker stops (or after half a second, to see a stop request)
                sentinels = [process.sentinel for process, _ in self._workers.values()]
                multiprocessing.connection.wait(sentinels, timeout=0.5)
                if not self.stopping.is_set():
                    self._replace_stopped()
        finally:
            self._stop_all()
            reservation.close()
        return self.failure

    def _start(self, slot: int) -> None:
        ready = self._context.Event()
        inherited = [self._reservation] if self._reservation is not None else []
        process = self._context.Process(
            target=_worker,
            args=(self.app, self.host, self.port, self.options, ready, inherited),
            name=f"cloudtoets-worker-{slot + 1}",
        )
        process.start()
        self._workers[slot] = (process, ready)

    def _replace_stopped(self) -> None:
        for slot, (process, ready) in list(self._workers.items()):
            if process.is_alive():
                continue
            if not ready.is_set():
                self.failure = (
                    f"app-proces {slot + 1} stopte tijdens het starten (afsluitcode "
                    f"{process.exitcode}); de melding erboven zegt waarom"
                )
                self.stopping.set()
                return
            self.report(
                f"App-proces {slot + 1} stopte (afsluitcode {process.exitcode}); "
                "een nieuw proces neemt het over."
            )
            self._start(slot)

    def _stop_all(self) -> None:
        processes = [process for process, _ in self._workers.values()]
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the open requests first
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join()
