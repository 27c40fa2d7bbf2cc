"""A unit of work: one transaction per use case, with its audit records in the same transaction."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cloudtoets.services.actor import Actor
from cloudtoets.store import audit as audit_chain
from cloudtoets.store import row_security
from cloudtoets.store.db import READ_ONLY, SCOPE


class UnitOfWork:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor
        self._audit: list[audit_chain.Entry] = []

    def audit(
        self,
        action: str,
        object_type: str,
        object_id: str,
        *,
        organisation_id: str | None,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Record a change; it joins the audit chain when the unit of work commits."""
        self._audit.append(
            audit_chain.Entry(
                actor=self.actor.user,
                organisation_id=organisation_id,
                request_id=self.actor.request_id,
                action=action,
                object_type=object_type,
                object_id=object_id,
                before=before,
                after=after,
            )
        )

    def append_audit(self, more: Iterable[Sequence[audit_chain.Entry]] = ()) -> None:
        """Write the recorded changes to the audit chain, as the transaction's last step;
        ``more``: batches of records made elsewhere (a large import reads them back from a file),
        appended after the recorded ones.

        Everything else is flushed first, so the chain lock (store/audit.py) is the last lock
        this transaction takes and is held only until the commit: a writer holding it never
        waits for a row another writer holds, so concurrent use cases cannot deadlock on it.
        """
        self.session.flush()
        recorded, self._audit = self._audit, []
        audit_chain.append_batches(self.session, itertools.chain([recorded], more))


def _scope(actor: Actor | None) -> str:
    """The organisations a session acts for; None is the system itself (all of them)."""
    return row_security.scope_value(actor.visible if actor is not None else None)


def system_session(sessions: sessionmaker[Session]) -> Session:
    """A session of the installation itself (logins, accounts, demo, re-evaluation): it sees
    every organisation."""
    return sessions(info={SCOPE: row_security.ALL_ORGANISATIONS})


@contextmanager
def unit_of_work(
    sessions: sessionmaker[Session], actor: Actor, *, system: bool = False
) -> Iterator[UnitOfWork]:
    """Commit when the block ends normally; roll back (nothing stored) on any exception.

    ``system``: the change is to the installation (accounts), not to an organisation's
    register, so it may look up any organisation.
    """
    scope = row_security.ALL_ORGANISATIONS if system else _scope(actor)
    with sessions(info={SCOPE: scope}) as session, session.begin():
        uow = UnitOfWork(session, actor)
        yield uow
        uow.append_audit()


@contextmanager
def read_only(
    sessions: sessionmaker[Session], actor: Actor | None, *, consistent: bool = False
) -> Iterator[Session]:
    """A session for reading what ``actor`` may see (None, said explicitly: the installation
    itself, which sees everything).

    On PostgreSQL it runs in autocommit: each query sees the latest committed data, without
    BEGIN and ROLLBACK round trips. ``consistent``: every query of the session sees one snapshot
    (and may stream through a server-side cursor), in one transaction. Closing it keeps loaded
    rows readable.
    """
    with sessions(info={SCOPE: _scope(actor), READ_ONLY: not consistent}) as session:
        if not consistent and session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session
