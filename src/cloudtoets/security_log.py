"""The security event log: one JSON object per line on standard error, for a SIEM.

Logins, failed logins, token use, refused requests and exports, each with time, event, request id
and the account's internal id. Never passwords, tokens, session ids or register content; a
username only as a short hash (so repeated failures for one name can be correlated).
"""

from __future__ import annotations

import hashlib
import sys
from typing import Any

import structlog

_PROCESSORS: list[structlog.typing.Processor] = [
    structlog.processors.add_log_level,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
    structlog.processors.JSONRenderer(sort_keys=True),
]


def name_hash(username: str) -> str:
    return hashlib.sha256(username.strip().lower().encode()).hexdigest()[:16]


def event(name: str, **fields: Any) -> None:
    """Log one security event (JSON with an ISO timestamp in UTC) to the current stderr."""
    logger = structlog.wrap_logger(
        structlog.PrintLogger(sys.stderr), processors=_PROCESSORS, logger_name="cloudtoets.security"
    )
    logger.info(name, log="security", **fields)
