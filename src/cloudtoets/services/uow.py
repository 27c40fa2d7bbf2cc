"""A unit of work: one transaction per use case, with its audit records in the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from cloudtoets.services.actor import Actor
from cloudtoets.store.tables import AuditRow


class UnitOfWork:
    def __init__(self, session: Session, actor: Actor) -> None:
        self.session = session
        self.actor = actor

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
        self.session.add(
            AuditRow(
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


@contextmanager
def unit_of_work(sessions: sessionmaker[Session], actor: Actor) -> Iterator[UnitOfWork]:
    """Commit when the block ends normally; roll back (nothing stored) on any exception."""
    with sessions() as session, session.begin():
        yield UnitOfWork(session, actor)


@contextmanager
def read_only(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reading; closing it ends the transaction and keeps loaded rows readable."""
    with sessions() as session:
        yield session
