"""Fill an empty register with the demo data (cloudtoets demo, cloudtoets serve --demo)."""

from __future__ import annotations

import orjson
from sqlalchemy import func, select

from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import ImportPlan, commit_import
from cloudtoets.store.tables import RegistrationRow

DEMO_ACTOR = Actor.local("demo")


def is_empty(register: Register) -> bool:
    with register.sessions() as session:
        return not session.scalar(select(func.count()).select_from(RegistrationRow))


def load_demo(register: Register) -> ImportPlan:
    """Import the demo register through the normal import path (validated, audited)."""
    from cloudtoets.demo import demo_inventory_document

    data = orjson.dumps(demo_inventory_document())
    return commit_import(register, DEMO_ACTOR, "demo.json", data)
