"""The register's clock inside the store: timestamps of rows and audit records.

A session factory binds its engine with the clock as an execution option, so column defaults
(created_at, updated_at, ...) and ``session_now`` take their moment from the same injected
clock as the services. A connection without one (a migration, a bare engine) uses the system
clock.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import ExecutionContext
from sqlalchemy.orm import Session

from cloudtoets.domain.clock import SYSTEM_CLOCK, Clock

CLOCK_OPTION = "cloudtoets_clock"


def with_clock(engine: Engine, clock: Clock) -> Engine:
    """The same engine and pool, its statements carrying ``clock``."""
    return engine.execution_options(**{CLOCK_OPTION: clock})


def now_default(context: ExecutionContext) -> dt.datetime:
    """Column default (SQLAlchemy passes the statement's context): the clock's moment."""
    clock: Clock = context.execution_options.get(CLOCK_OPTION, SYSTEM_CLOCK)
    return clock.now()


def session_now(session: Session) -> dt.datetime:
    """The moment of the clock that ``session`` writes with."""
    bind = session.get_bind()
    clock: Clock = bind.get_execution_options().get(CLOCK_OPTION, SYSTEM_CLOCK)
    return clock.now()
