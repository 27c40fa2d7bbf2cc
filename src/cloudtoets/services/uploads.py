"""Read and check an uploaded inventory, over the network in a worker process with bounded work.

Reading a file and validating it is the one step of an import whose cost the uploader chooses:
a spreadsheet of a million rows, a YAML file whose anchors expand a thousandfold. The readers
refuse what they can recognise early (io/ and yaml12.py: rows, columns, list lengths, aliases);
whatever is left is bounded here. An upload is read in a worker process of a small pool
(``bounded.WorkerPool``) with a limit on CPU time, memory and waiting time; beyond a limit the
uploader gets a Dutch input error and the server carries on. docs/security.md has the figures.
"""

from __future__ import annotations

import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from cloudtoets.bounded import Limit, LimitExceeded, Limits, WorkerPool
from cloudtoets.domain.model import Inventory, Organisation
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.io.read import read_inventory
from cloudtoets.policy.loader import load_policy_document
from cloudtoets.policy.model import Policy
from cloudtoets.problems import InputError, Problem
from cloudtoets.services.limits import register_problems

LIMITS: Final = Limits(cpu_seconds=60, memory_bytes=2 * 1024**3, wall_seconds=120.0)
WORKERS: Final = 2  # uploads read at the same time per app process; more wait for a turn
# what a worker imports once, before its first upload
PRELOAD: Final = (__name__, "cloudtoets.io.xlsx", "cloudtoets.io.csv_format")


def _seconds(amount: int) -> str:
    return "1 seconde" if amount == 1 else f"{amount} seconden"


def _size(amount: int) -> str:
    gigabytes, rest = divmod(amount, 1024**3)
    return f"{gigabytes} GB" if gigabytes and not rest else f"{amount // 1024**2} MB"


def _reason(limit: Limit, limits: Limits) -> str:
    match limit:
        case "cpu":
            return f"het lezen kost meer dan {_seconds(limits.cpu_seconds)} rekentijd"
        case "time":
            return f"het lezen duurt langer dan {_seconds(round(limits.wall_seconds))}"
        case "memory":
            return f"het lezen vraagt meer dan {_size(limits.memory_bytes)} geheugen"
        case "depth":
            return "de gegevens zijn te diep in elkaar genest"
        case _:
            return "het lezen liep vast"


@dataclass(slots=True)
class Upload:
    """A validated inventory with the directories its references resolve against, and what
    the register asks beyond the format (``services.limits``), located in the file's words."""

    inventory: Inventory
    organisations: dict[str, Organisation]
    providers: ProviderDirectory
    problems: list[Problem]


def read_upload(filename: str, data: bytes) -> Upload:
    """Read and check the bytes of an inventory file in this process; InputError names
    ``filename`` with every problem."""
    suffix = Path(filename).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="cloudtoets-import-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            checked = read_inventory(path)
        except InputError as error:
            raise InputError(filename, error.problems) from None
    return Upload(
        checked.inventory,
        checked.organisations,
        checked.providers,
        register_problems(checked.inventory, checked.locate),
    )


def _in_worker(filename: str, data: bytes) -> Upload | list[Problem]:
    """``read_upload`` as a worker runs it: the problems come back as a value (an InputError
    does not survive pickling)."""
    try:
        return read_upload(filename, data)
    except InputError as error:
        return error.problems


_pool: WorkerPool | None = None
_pool_lock = threading.Lock()


def pool() -> WorkerPool:
    """The pool of this process, made at first use."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = WorkerPool(LIMITS, size=WORKERS, preload=PRELOAD)
        return _pool


def warm() -> None:
    """Start a worker now, so the first upload need not wait for one (an app at start-up)."""
    pool().warm()


def _too_complex(filename: str, exc: LimitExceeded, limits: Limits, advice: str) -> InputError:
    message = (
        f"het bestand is te groot of te ingewikkeld om te lezen ({_reason(exc.limit, limits)}); "
        + advice
    )
    return InputError(filename, [Problem("", message)])


def read_upload_bounded(filename: str, data: bytes) -> Upload:
    """``read_upload`` in a worker process within LIMITS; beyond a limit an InputError that
    says the file is too large or too complex to read."""
    workers = pool()
    try:
        outcome = workers.run(_in_worker, filename, data)
    except LimitExceeded as exc:
        advice = "verdeel de inventaris over kleinere bestanden"
        raise _too_complex(filename, exc, workers.limits, advice) from None
    if isinstance(outcome, list):
        raise InputError(filename, outcome)
    return outcome


def _policy_in_worker(filename: str, data: bytes) -> Policy | list[Problem]:
    try:
        return load_policy_document(filename, data)
    except InputError as error:
        return error.problems


def read_policy_bounded(filename: str, data: bytes) -> Policy:
    """An uploaded policy file (YAML or JSON), loaded and checked as ``cloudtoets policy
    validate`` does (``policy.loader.load_policy_document``: ``extends`` only of a built-in
    policy), in a worker process within LIMITS. InputError names ``filename`` with every
    problem, or says the file is too large or too complex to read."""
    if not data.strip():
        raise InputError(filename, [Problem("", "het bestand is leeg; kies een beleidsbestand")])
    workers = pool()
    try:
        outcome = workers.run(_policy_in_worker, filename, data)
    except LimitExceeded as exc:
        advice = "maak het beleid kleiner of minder diep genest, of begin met extends"
        raise _too_complex(filename, exc, workers.limits, advice) from None
    if isinstance(outcome, list):
        raise InputError(filename, outcome)
    return outcome
