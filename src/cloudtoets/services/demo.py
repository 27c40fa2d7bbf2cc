"""Fill an empty register with the demo data (cloudtoets demo, cloudtoets serve --demo)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from sqlalchemy import func, select

from cloudtoets.services.accounts import create_user
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import ImportPlan, commit_import
from cloudtoets.services.uow import system_session
from cloudtoets.store.tables import RegistrationRow

DEMO_ACTOR = Actor.local("demo")


@dataclass(frozen=True, slots=True)
class DemoAccount:
    username: str
    password: str
    roles: tuple[str, ...]
    organisation: str | None
    label: str


# One account per role, shown on the login page in demo mode only. Never use these elsewhere.
DEMO_ACCOUNTS = (
    DemoAccount("lezer", "demo-lezer-2026", ("viewer",), "fin", "lezer bij Financiën"),
    DemoAccount("bewerker", "demo-bewerker-2026", ("editor",), "fin", "bewerker bij Financiën"),
    DemoAccount(
        "accordeerder",
        "demo-accordeerder-2026",
        ("approver",),
        "fin",
        "accordeerder bij Financiën (namens de verantwoordelijke bewindspersoon)",
    ),
    DemoAccount("bewerker-uwv", "demo-bewerker-2026", ("editor",), "uwv", "bewerker bij UWV"),
    DemoAccount("cio-rijk", "demo-cio-rijk-2026", ("cio-rijk",), None, "CIO Rijk (leest alles)"),
    DemoAccount(
        "auditor",
        "demo-auditor-2026",
        ("auditor",),
        None,
        "auditor (leest alles en het auditlogboek)",
    ),
    DemoAccount(
        "beheerder",
        "demo-beheerder-2026",
        ("admin",),
        None,
        "beheerder (accounts, geen registerinhoud)",
    ),
)


def is_empty(register: Register) -> bool:
    with system_session(register.sessions) as session:
        return not session.scalar(select(func.count()).select_from(RegistrationRow))


def load_demo(register: Register) -> ImportPlan:
    """Import the demo register through the normal import path (validated, audited)."""
    from cloudtoets.demo import demo_inventory_document

    data = orjson.dumps(demo_inventory_document())
    # our own data, not an upload: read in this process, without the upload bounds
    plan = commit_import(
        register, DEMO_ACTOR, "demo.json", data, uploaded=False, evidence_from_file=True
    )
    admin = Actor("demo", roles=frozenset({"admin"}))
    for account in DEMO_ACCOUNTS:
        create_user(
            register,
            admin,
            account.username,
            display_name=account.label,
            organisation=account.organisation,
            roles=list(account.roles),
            password=account.password,
        )
    return plan
