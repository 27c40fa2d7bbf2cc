"""The audit chain as a whole: verify it, export it for archiving, verify an export offline.

The chain itself (format, appending, checking) is store/audit.py; this module adds the register,
files and the Dutch description of what is wrong.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cloudtoets.domain.clock import AMSTERDAM
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import ExportFile
from cloudtoets.services.permissions import Permission
from cloudtoets.services.uow import read_only
from cloudtoets.store import audit as chain
from cloudtoets.store.audit import Break, Verification

__all__ = [
    "AuditFilter",
    "AuditPage",
    "Break",
    "Exported",
    "Verification",
    "describe",
    "export_chain",
    "export_filtered",
    "require_auditor",
    "search",
    "verify_chain",
    "verify_for",
]

PAGE_SIZE = 50  # records per page, page and API alike
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class Exported:
    count: int
    head_hash: str  # the hash of the last record written (64 zeros for an empty log)


def verify_chain(register: Register) -> Verification:
    """Walk the stored chain in seq order up to the first fault."""
    with read_only(register.sessions, None, consistent=True) as session:
        return chain.verify_records(chain.iter_chain(session))


def export_chain(register: Register, path: Path) -> Exported:
    """Write every record as JSON Lines (canonical JSON incl. ``hash``), in seq order.

    The file appears complete or not at all: a cut-off export would look like a shorter chain.
    """
    count, head = 0, chain.GENESIS
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="\n") as file,
            read_only(register.sessions, None, consistent=True) as session,
        ):
            for record in chain.iter_chain(session):
                file.write(chain.canonical_json(record) + "\n")
                count, head = count + 1, record["hash"]
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Exported(count, head)


def verify_file(path: Path) -> Verification:
    """Verify an export without the database."""
    with path.open(encoding="utf-8", newline="\n") as file:
        return chain.verify_lines(file)


def describe(broken: Break) -> str:
    """What is wrong, in Dutch, naming the record (and the line of an export)."""
    where = f"record {broken.seq} (id {broken.id})"
    if broken.line is not None:
        where = (
            f"regel {broken.line}, {where}" if broken.seq is not None else f"regel {broken.line}"
        )
    if broken.problem == "gap":
        assert broken.expected_seq is not None
        if broken.seq is not None and broken.seq > broken.expected_seq:
            missing = (
                f"record {broken.expected_seq} ontbreekt"
                if broken.seq == broken.expected_seq + 1
                else f"records {broken.expected_seq} tot en met {broken.seq - 1} ontbreken"
            )
            return f"{where}: gat in de volgnummers, {missing}"
        return f"{where}: volgnummer verwacht {broken.expected_seq}, gevonden {broken.seq}"
    if broken.problem == "prev_hash":
        return (
            f"{where}: prev_hash is niet de hash van het vorige record "
            "(een record is verwijderd, ingevoegd, verplaatst of herberekend)"
        )
    if broken.problem == "hash":
        return f"{where}: de hash klopt niet met de inhoud (het record is gewijzigd)"
    return f"{where}: geen geldig auditrecord ({broken.detail})"


# --- the auditor's view --------------------------------------------------------------------------


def require_auditor(actor: Actor) -> None:
    """Forbidden (403, saying the auditor may) for every other role."""
    actor.require(Permission.READ_AUDIT)


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """The auditor's filters; days are days in Amsterdam, ``to_day`` included."""

    organisation: str | None = None
    user: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    from_day: dt.date | None = None
    to_day: dt.date | None = None

    def problem(self) -> str | None:
        """Why the filter cannot match anything sensible (Dutch), or None."""
        if self.from_day and self.to_day and self.from_day > self.to_day:
            return "de begindatum ligt na de einddatum"
        return None

    def search(self) -> chain.Search:
        def start_of(day: dt.date) -> dt.datetime:
            return dt.datetime.combine(day, dt.time(0), AMSTERDAM).astimezone(dt.UTC)

        return chain.Search(
            organisation_id=self.organisation or None,
            actor=self.user or None,
            object_type=self.object_type or None,
            object_id=self.object_id or None,
            start=start_of(self.from_day) if self.from_day else None,
            end=start_of(self.to_day + dt.timedelta(days=1)) if self.to_day else None,
        )


@dataclass(frozen=True, slots=True)
class AuditPage:
    """One page of matching records, newest first, as exported (with their hashes)."""

    items: list[dict[str, Any]]
    total: int
    page: int
    page_size: int
    object_types: list[str]  # every kind of object in the log, for the filter's choices

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def search(
    register: Register,
    actor: Actor,
    found: AuditFilter,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> AuditPage:
    """The records ``found`` matches, one page; count and page from one snapshot."""
    require_auditor(actor)
    page, page_size = max(page, 1), min(max(page_size, 1), MAX_PAGE_SIZE)
    query = found.search()
    with read_only(register.sessions, None, consistent=True) as session:
        total = chain.count_matching(session, query)
        items = chain.matching(session, query, page_size, (page - 1) * page_size)
        return AuditPage(items, total, page, page_size, chain.object_types(session))


def verify_for(register: Register, actor: Actor) -> Verification:
    """``verify_chain`` for an auditor."""
    require_auditor(actor)
    return verify_chain(register)


def export_filtered(register: Register, actor: Actor, found: AuditFilter) -> ExportFile:
    """The matching records as JSON Lines in seq order, each as ``audit export`` writes it (with
    its hash). Only an export without filters is a whole chain that ``audit verify --file``
    checks; a filtered one leaves records out on purpose."""
    require_auditor(actor)
    folder = tempfile.mkdtemp(prefix="cloudtoets-audit-")
    try:
        path = Path(folder) / "auditlog.jsonl"
        with (
            path.open("w", encoding="utf-8", newline="\n") as file,
            read_only(register.sessions, None, consistent=True) as session,
        ):
            for record in chain.iter_matching(session, found.search()):
                file.write(chain.canonical_json(record) + "\n")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    name = f"cloudtoets-auditlog-{register.today().isoformat()}.jsonl"
    return ExportFile(path, "application/jsonl", name)
