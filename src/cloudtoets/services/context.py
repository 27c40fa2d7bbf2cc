"""What every use case needs from the running application, built once at start-up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cloudtoets.config import Settings
from cloudtoets.policy.loader import load_policy
from cloudtoets.policy.model import Policy
from cloudtoets.store.db import make_engine, make_session_factory


@dataclass
class Register:
    """The register as the services see it: database, policy and today's date."""

    engine: Engine
    sessions: sessionmaker[Session]
    policy: Policy
    settings: Settings
    today: Callable[[], dt.date] = field(default=dt.date.today)

    @classmethod
    def open(cls, settings: Settings, *, today: Callable[[], dt.date] | None = None) -> Register:
        engine = make_engine(settings.database_url)
        return cls(
            engine=engine,
            sessions=make_session_factory(engine),
            policy=load_policy(settings.policy),
            settings=settings,
            today=today or dt.date.today,
        )

    def close(self) -> None:
        self.engine.dispose()
