"""A unit of work: one transaction per use case, with its audit records in the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cloudtoets.services.actor import Actor
from cloudtoets.store import audit as audit_chain


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

    def append_audit(self) -> None:
        """Write the recorded changes to the audit chain, as the transaction's last step.

        Everything else is flushed first, so the chain lock (store/audit.py) is the last lock
        this transaction takes and is held only until the commit: a writer holding it never
        waits for a row another writer holds, so concurrent use cases cannot deadlock on it.
        """
        if not self._audit:
            return
        self.session.flush()
        audit_chain.append(self.session, self._audit)
        self._audit = []


@contextmanager
def unit_of_work(sessions: sessionmaker[Session], actor: Actor) -> Iterator[UnitOfWork]:
    """Commit when the block ends normally; roll back (nothing stored) on any exception."""
    with sessions() as session, session.begin():
        uow = UnitOfWork(session, actor)
        yield uow
        uow.append_audit()


@contextmanager
def read_only(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reading; closing it ends the transaction and keeps loaded rows readable."""
    with sessions() as session:
        yield session
