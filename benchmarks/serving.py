"""Shared by faults.py and soak.py: ``cloudtoets serve --workers N`` on loopback, its worker
processes as the kernel sees them, and clients that read and write through the API.

Not a benchmark itself. Everything runs on 127.0.0.1; every server started here is stopped on
leaving (SIGTERM, then SIGKILL to its own process group).
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from registers import CLI


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text(encoding="ascii", errors="replace")
    except OSError:  # the process went away
        return None


@dataclass
class Server:
    """A running ``cloudtoets serve``: its base URL, port, supervisor process, cold start and
    log file."""

    base: str
    port: int
    process: subprocess.Popen[bytes]
    cold_seconds: float  # from starting the command to the first answer of /api/v1/health
    log: Path

    def workers(self) -> set[int]:
        """The supervisor's children: its worker processes."""
        children = _read(f"/proc/{self.process.pid}/task/{self.process.pid}/children") or ""
        return {int(pid) for pid in children.split()}

    def listening(self) -> set[int]:
        """The workers with a socket listening on the port (/proc/net/tcp, state 0A)."""
        inodes = set()
        for line in (_read("/proc/net/tcp") or "").splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == self.port:
                inodes.add(f"socket:[{fields[9]}]")
        return {pid for pid in self.workers() if inodes & _sockets(pid)}

    def answering(self) -> int | None:
        """The worker that answers a new connection: the one that holds the server's end of it
        while it is open (the kernel's tables), or None when nothing answered with 200."""
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=10) as client:
                client.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                if not client.recv(65536).startswith(b"HTTP/1.1 200"):
                    return None
                own = client.getsockname()[1]
                inode = None
                for line in (_read("/proc/net/tcp") or "").splitlines()[1:]:
                    fields = line.split()
                    local, remote = fields[1].rsplit(":", 1)[1], fields[2].rsplit(":", 1)[1]
                    if int(local, 16) == self.port and int(remote, 16) == own:
                        inode = f"socket:[{fields[9]}]"
                return next((pid for pid in self.workers() if inode in _sockets(pid)), None)
        except OSError:
            return None


def _sockets(pid: int) -> set[str]:
    found = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                found.add(str(fd.readlink()))
    return found


def memory_mb(pid: int) -> dict[str, float]:
    """Resident (RSS) and proportional (PSS: shared pages divided over their sharers) MB."""
    values = {}
    for line in (_read(f"/proc/{pid}/smaps_rollup") or "").splitlines():
        name, _, rest = line.partition(":")
        if name in ("Rss", "Pss"):
            values[name.lower()] = round(int(rest.split()[0]) / 1024, 1)
    return values


@contextlib.contextmanager
def serving(url: str, folder: Path, *, workers: int = 2, demo: bool = False) -> Iterator[Server]:
    """``cloudtoets serve --workers N`` on a free loopback port without logins (the local user,
    as bench_api.py), until the block ends; its log in ``folder``."""
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDTOETS_")}
    environment["CLOUDTOETS_AUTH_MODE"] = "local"
    command = [str(CLI), "serve", "--port", str(port), "--workers", str(workers)]
    command += ["--database", url, *(["--demo"] if demo else [])]
    base = f"http://127.0.0.1:{port}"
    log_path = folder / f"serve-{port}.log"
    with log_path.open("wb") as log:
        started = time.monotonic()
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=environment,
            cwd=folder,
            start_new_session=True,
        )
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"serve ended with {process.returncode}; see {log.name}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() - started > 120:
                raise SystemExit("serve did not answer /api/v1/health within 120 s")
            time.sleep(0.02)
        server = Server(base, port, process, time.monotonic() - started, log_path)
        while len(server.listening()) < workers:
            time.sleep(0.05)
        time.sleep(0.5)  # a worker reports itself ready just after it starts to listen
        yield server
    finally:
        if process.poll() is None:
            process.terminate()  # the workers finish their open requests
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(30)


def registration_ids(base: str, limit: int = 2000) -> list[str]:
    """Up to ``limit`` registration ids, in id order, through the API."""
    ids: list[str] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        page = 1
        while len(ids) < limit:
            answer = client.get("/api/v1/registrations", params={"page": page, "page_size": 500})
            answer.raise_for_status()
            items = answer.json()["items"]
            ids += [item["id"] for item in items]
            if len(items) < 500:
                break
            page += 1
    return ids[:limit]


KINDS = ("list", "detail", "read-to-write", "put")


def percentile(ordered: list[float], share: float) -> float | None:
    """The value below which ``share`` of the sorted values lie (nearest rank), in ms."""
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000, 1)


@dataclass
class Clients:
    """``count`` threads, each with its own keep-alive connection, that read (the list, a page
    further on, one registration) and write (GET, then PUT with If-Match and a new name) until
    stopped. Each client writes only its own registrations among the first ``writable`` ids, so a
    412 is a fault, not a race. Every answer is kept as (moment, latency, kind, status); a
    connection error counts as an error, as does any status other than 200."""

    base: str
    ids: list[str]
    count: int = 4
    write_share: float = 0.2
    seed: int = 1
    writable: int | None = None  # the first ids clients write to (None: all)
    pause: float = 0.0  # seconds a client waits after an error or a 503
    answers: list[tuple[float, float, int, int]] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    error_times: list[float] = field(default_factory=list)
    without_retry_after: int = 0  # 503 answers without a Retry-After header
    written: Counter[str] = field(default_factory=Counter)  # 200 PUTs per registration
    _stop: threading.Event = field(default_factory=threading.Event)
    _threads: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def latencies(self) -> list[float]:
        return [answer[1] for answer in self.answers]

    def start(self) -> Clients:
        writable = self.ids[: self.writable] if self.writable is not None else self.ids
        for number in range(self.count):
            own = writable[number :: self.count]
            thread = threading.Thread(target=self._run, args=(number, own), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)

    def snapshot(self) -> tuple[int, int]:
        """Answers and errors so far."""
        with self._lock:
            return len(self.answers), sum(self.errors.values())

    def since(self, moment: float) -> list[tuple[float, float, int, int]]:
        """The answers that came at or after ``moment`` (time.monotonic), in order."""
        with self._lock:
            return sorted(answer for answer in self.answers if answer[0] >= moment)

    def summary(self, seconds: float) -> dict[str, Any]:
        with self._lock:
            answers = list(self.answers)
            result = {
                "clients": self.count,
                "write_share": self.write_share,
                "seconds": round(seconds, 1),
                **describe(answers, seconds),
                "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
                "errors": dict(self.errors),
                "error_count": sum(self.errors.values()),
                "503_without_retry_after": self.without_retry_after,
            }
        result["by_kind"] = {
            kind: describe([a for a in answers if a[2] == number], seconds)
            for number, kind in enumerate(KINDS)
        }
        return result

    def timeline(self, start: float, end: float, step: float) -> list[dict[str, Any]]:
        """Answers per period of ``step`` seconds between ``start`` and ``end``."""
        with self._lock:
            answers = sorted(self.answers)
        periods = []
        moment = start
        while moment < end - step / 10:
            until = min(end, moment + step)
            inside = [a for a in answers if moment <= a[0] < until]
            periods.append({"from_s": round(moment - start, 1), **describe(inside, until - moment)})
            moment = until
        return periods

    def _note(self, started: float, answer: httpx.Response, kind: int, expected: int) -> bool:
        done = time.monotonic()
        status = answer.status_code
        with self._lock:
            self.answers.append((done, done - started, kind, status))
            self.statuses[status] += 1
            if status == 503 and "retry-after" not in answer.headers:
                self.without_retry_after += 1
            if status != expected:
                self.errors[f"status {status}"] += 1
                self.error_times.append(done)
        if status != expected and self.pause:
            time.sleep(self.pause)
        return status == expected

    def _failed(self, error: Exception) -> None:
        with self._lock:
            self.errors[type(error).__name__] += 1
            self.error_times.append(time.monotonic())

    def _run(self, number: int, own: list[str]) -> None:
        chance = random.Random(self.seed * 1000 + number)
        pages = max(1, len(self.ids) // 20)
        with httpx.Client(base_url=self.base, timeout=60) as client:
            while not self._stop.is_set():
                try:
                    if own and chance.random() < self.write_share:
                        self._write(client, chance.choice(own), chance)
                    else:
                        self._read(client, chance, pages)
                except httpx.HTTPError as error:
                    self._failed(error)
                    time.sleep(max(0.01, self.pause))

    def _read(self, client: httpx.Client, chance: random.Random, pages: int) -> None:
        started = time.monotonic()
        if chance.random() < 0.5:
            page = {"page": chance.randint(1, pages), "page_size": 20}
            self._note(started, client.get("/api/v1/registrations", params=page), 0, 200)
        else:
            registration = chance.choice(self.ids)
            self._note(started, client.get(f"/api/v1/registrations/{registration}"), 1, 200)

    def _write(self, client: httpx.Client, registration: str, chance: random.Random) -> None:
        started = time.monotonic()
        current = client.get(f"/api/v1/registrations/{registration}")
        if not self._note(started, current, 2, 200):
            return
        body = current.json()
        body["name"] = f"belast {chance.randrange(10**9)}"
        started = time.monotonic()
        changed = client.put(
            f"/api/v1/registrations/{registration}",
            json=body,
            headers={"If-Match": current.headers["etag"]},
        )
        if self._note(started, changed, 3, 200):
            with self._lock:
                self.written[registration] += 1


def describe(answers: list[tuple[float, float, int, int]], seconds: float) -> dict[str, Any]:
    """Count, rate, p50/p99 latency and statuses of (moment, latency, kind, status) answers."""
    ordered = sorted(answer[1] for answer in answers)
    statuses = Counter(answer[3] for answer in answers)
    return {
        "answers": len(ordered),
        "requests_per_second": round(len(ordered) / seconds, 1) if seconds else None,
        "p50_ms": percentile(ordered, 0.5),
        "p99_ms": percentile(ordered, 0.99),
        "max_ms": percentile(ordered, 1.0),
        "not_200": {str(k): v for k, v in sorted(statuses.items()) if k != 200},
    }
