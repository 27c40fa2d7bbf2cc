"""Bounded work: run a function in a warm worker process with limits on CPU time, memory and
wall-clock time, so that one input can never starve the process that asked for it.

A :class:`WorkerPool` keeps a few worker processes (new interpreters, so nothing of the parent's
threads or database connections is shared). Each task goes to one idle worker. Before the task
the worker sets its CPU-time limit to what it has used so far plus ``cpu_seconds``
(``RLIMIT_CPU``: the kernel stops the process at the limit); its address space is limited to
what it held after start-up plus ``memory_bytes`` (``RLIMIT_AS``: an allocation beyond fails with
``MemoryError``); and the parent waits at most ``wall_seconds`` for the answer before it kills the
worker. A task that hits a limit raises :class:`LimitExceeded` in the parent; its worker is
replaced and the other tasks carry on. An exception of the function itself comes back as it was
raised (or as a RuntimeError naming it, when it does not pickle); the worker stays.

At most ``size`` tasks run at once; more callers wait for a free worker. A worker whose memory
grew much during a task is replaced after it, so a large task leaves no large process behind.
"""

from __future__ import annotations

import contextlib
import importlib
import math
import os
import pickle
import resource
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Final, Literal, ParamSpec, TypeVar

Limit = Literal["cpu", "memory", "time", "depth", "crash"]

_P = ParamSpec("_P")
_T = TypeVar("_T")

START_SECONDS: Final = 60.0  # how long a new worker may take to import its modules
STOP_SECONDS: Final = 5.0
RETIRE_GROWTH: Final = 512 * 1024 * 1024  # a worker that grew this much is replaced
MAX_TASKS: Final = 500  # ... and so is one that did this many tasks
_ENTRY: Final = "from cloudtoets.bounded import _child; _child()"


@dataclass(frozen=True, slots=True)
class Limits:
    cpu_seconds: int
    memory_bytes: int  # on top of what a worker holds after start-up
    wall_seconds: float


class LimitExceeded(Exception):
    """A task went beyond a limit; ``limit`` says which."""

    def __init__(self, limit: Limit) -> None:
        self.limit = limit
        super().__init__(f"bounded work stopped: {limit}")


def _statm(field: int) -> int | None:
    """Virtual (0) or resident (1) size of this process in bytes, where Linux tells it."""
    try:
        pages = int(Path("/proc/self/statm").read_text(encoding="ascii").split()[field])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE")


def _portable(exc: Exception) -> Exception:
    """The exception itself when it survives pickling, else a RuntimeError that names it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _lower(kind: int, soft: int) -> None:
    """Set a soft limit, never above the hard one (which an ordinary process cannot raise)."""
    _, hard = resource.getrlimit(kind)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(kind, (soft, hard))


def _limit_cpu(seconds: int) -> None:
    """RLIMIT_CPU counts the whole life of the process: allow ``seconds`` from now on."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _lower(resource.RLIMIT_CPU, math.ceil(usage.ru_utime + usage.ru_stime) + seconds)


def _serve(connection: Connection) -> None:
    """A worker: take the set-up, import what the tasks need, then answer tasks until the parent
    goes away (or a task asks for a fresh process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the parent, which stops us
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a stopped worker leaves no core file
    path, limits, preload = connection.recv()
    sys.path[:] = path  # the parent's: a task's function is found where the parent found it
    for module in preload:
        importlib.import_module(module)
    virtual = _statm(0)
    if virtual is not None:
        _lower(resource.RLIMIT_AS, virtual + limits.memory_bytes)
    start = _statm(1) or 0
    connection.send(("ready", None))
    for number in range(1, MAX_TASKS + 1):
        try:
            function, args = connection.recv()
        except (EOFError, OSError):
            return
        _limit_cpu(limits.cpu_seconds)
        reply: tuple[str, Any]
        try:
            reply = ("ok", function(*args))
        except MemoryError:
            reply = ("limit", "memory")
        except RecursionError:
            reply = ("limit", "depth")
        except Exception as exc:
            reply = ("error", _portable(exc))
        del function, args
        retire = (
            reply[0] == "limit" or number == MAX_TASKS or (_statm(1) or 0) - start > RETIRE_GROWTH
        )
        try:
            connection.send((*reply, retire))
        except MemoryError:
            connection.send(("limit", "memory", True))
            return
        except Exception as exc:  # an answer that does not pickle
            connection.send(("error", RuntimeError(f"unpicklable answer: {exc!r}"), retire))
        if retire:
            return


def _child() -> None:
    """Entry point of a worker process (``python -c``): its end of the socket is argv[1]."""
    with Connection(int(sys.argv[1])) as connection:
        _serve(connection)


class _Gone(RuntimeError):
    """The worker was no longer there to take the task."""

    def __init__(self) -> None:
        super().__init__("a worker process stopped before it took its task")


class _Worker:
    """One worker process and the parent's end of its socket.

    A plain new interpreter (not multiprocessing's ``spawn``, which would import the parent's
    main module again, with whatever that does at import).
    """

    def __init__(self, limits: Limits, preload: Sequence[str]) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _ENTRY, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                # no settings: a worker reads input, it needs no database URL or secret
                env={k: v for k, v in os.environ.items() if not k.startswith("CLOUDTOETS_")},
                start_new_session=True,  # Ctrl+C in a terminal reaches the parent only
            )
        finally:
            theirs.close()
        self.connection = Connection(ours.detach())
        self.connection.send((list(sys.path), limits, tuple(preload)))
        self.started = False
        self.retire = False  # the worker asked to be replaced after its last task

    def alive(self) -> bool:
        return self.process.poll() is None

    def _exit_code(self) -> int | None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.process.wait(STOP_SECONDS)
        return None

    def wait_started(self) -> None:
        if self.started:
            return
        if not self.connection.poll(START_SECONDS):
            raise RuntimeError("a worker process did not start in time")
        try:
            self.connection.recv()
        except (EOFError, OSError):
            raise RuntimeError(
                f"a worker process stopped while starting (exit code {self._exit_code()})"
            ) from None
        self.started = True

    def call(self, function: Callable[..., Any], args: tuple[Any, ...], wall: float) -> Any:
        """The function's answer; LimitExceeded or its exception otherwise."""
        self.wait_started()
        try:
            self.connection.send((function, args))
        except OSError:  # it stopped while idle, before it took the task
            raise _Gone() from None
        if not self.connection.poll(wall):
            raise LimitExceeded("time")
        try:
            kind, value, retire = self.connection.recv()
        except (EOFError, OSError):
            code = self._exit_code()
            if code == -signal.SIGXCPU:
                raise LimitExceeded("cpu") from None
            if code == -signal.SIGKILL:  # the kernel's out-of-memory killer
                raise LimitExceeded("memory") from None
            raise LimitExceeded("crash") from None
        self.retire = retire
        if kind == "limit":
            raise LimitExceeded(value)
        if kind == "error":
            raise value
        return value

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.close()
        if self.alive():
            self.process.kill()
        self._exit_code()


class WorkerPool:
    """Up to ``size`` worker processes that run tasks within ``limits`` (see the module)."""

    def __init__(self, limits: Limits, *, size: int = 2, preload: Sequence[str] = ()) -> None:
        self.limits = limits
        self.preload = tuple(preload)
        self._idle: list[_Worker] = []
        self._lock = threading.Lock()
        self._free = threading.BoundedSemaphore(size)
        self._warming = False

    def run(self, function: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        """``function(*args)`` in a worker; LimitExceeded when it goes beyond a limit.

        ``function`` and its arguments and answer travel between processes: they must pickle
        (a function defined at module level).
        """
        if kwargs:
            raise TypeError("bounded work takes positional arguments only")
        with self._free:
            worker = self._take()
            try:
                try:
                    result: _T = worker.call(function, args, self.limits.wall_seconds)
                except _Gone:  # once more, with a new worker
                    worker.stop()
                    worker = _Worker(self.limits, self.preload)
                    result = worker.call(function, args, self.limits.wall_seconds)
            except LimitExceeded:
                worker.stop()
                self.warm()  # the next task finds a worker ready
                raise
            except BaseException:
                if worker.retire or not worker.alive():
                    worker.stop()
                else:
                    self._give_back(worker)
                raise
            if worker.retire:
                worker.stop()
                self.warm()
            else:
                self._give_back(worker)
            return result

    def warm(self) -> None:
        """Start a worker in the background when none is idle, so the next task need not wait."""
        with self._lock:
            if self._idle or self._warming:
                return
            self._warming = True
        threading.Thread(target=self._add_started, name="cloudtoets-bounded", daemon=True).start()

    def close(self) -> None:
        """Stop the idle workers (busy ones stop when their task ends and the pool is gone)."""
        with self._lock:
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()

    def _add_started(self) -> None:
        try:
            worker = _Worker(self.limits, self.preload)
            try:
                worker.wait_started()
            except RuntimeError:
                worker.stop()
                return
            self._give_back(worker)
        finally:
            with self._lock:
                self._warming = False

    def _take(self) -> _Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    return worker
                worker.stop()
        return _Worker(self.limits, self.preload)

    def _give_back(self, worker: _Worker) -> None:
        with self._lock:
            self._idle.append(worker)
