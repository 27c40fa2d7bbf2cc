"""What every use case needs from the running application, built once at start-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cloudtoets.config import Settings
from cloudtoets.domain.clock import Clock
from cloudtoets.policy.loader import load_policy
from cloudtoets.policy.model import Policy
from cloudtoets.services.outage import DatabaseOutage
from cloudtoets.store.db import make_engine, make_session_factory


@dataclass
class Register:
    """The register as the services see it: database, policy and the clock, and the current
    database outage, if any (services/outage.py)."""

    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    settings: Settings
    clock: Clock
    outage: DatabaseOutage

    @classmethod
    def open(cls, settings: Settings, *, clock: Clock | None = None) -> Register:
        """The register of ``settings``; ``clock`` replaces the settings' clock (tests)."""
        clock = clock or settings.clock()
        engine = make_engine(settings.database_url)
        sessions = make_session_factory(engine, clock)
        return cls(
            engine=engine,
            sessions=sessions,
            policy=load_policy(settings.policy),
            settings=settings,
            clock=clock,
            outage=DatabaseOutage.watching(engine, sessions, clock),
        )

    def today(self) -> dt.date:
        """Today's date in Amsterdam."""
        return self.clock.today()

    def now(self) -> dt.datetime:
        return self.clock.now()

    def close(self) -> None:
        self.engine.dispose()
