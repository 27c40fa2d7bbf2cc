"""Queries over the register. Services call these; nothing else writes SQL.

Every query that returns an organisation's data takes the organisations the caller may see
(``visible``: None for all), so tenant scoping is part of the query, not an afterthought.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import (
    Row,
    Select,
    String,
    bindparam,
    case,
    cast,
    delete,
    func,
    select,
    true,
    type_coerce,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from cloudtoets.catalogue import catalogue_directory
from cloudtoets.domain.knowledge import NEVER_EMPTY
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.domain.registration_query import RegistrationQuery, choices
from cloudtoets.domain.vocabulary import Deployment, Verdict
from cloudtoets.store.mapping import REGISTRATION_COLUMNS, provider_from_row
from cloudtoets.store.tables import (
    AuditRow,
    DecisionRow,
    OrganisationRow,
    ProviderRow,
    RegistrationJurisdictionRow,
    RegistrationRow,
)

# A result sorts as its worst verdict (unknowns.md), worst first: by the verdict's rank.
WORST_RANK = case(
    {verdict.value: verdict.rank for verdict in Verdict}, value=RegistrationRow.verdict_worst
)

SORT_COLUMNS: dict[str, Any] = {
    "id": RegistrationRow.id,
    "name": RegistrationRow.name,
    "organisation": RegistrationRow.organisation_id,
    "verdict": WORST_RANK,
    "deadline": RegistrationRow.deadline,
    "provider": RegistrationRow.provider,
    "deployment": RegistrationRow.deployment,
    "findings": RegistrationRow.findings_count,
}


RECORD_PART = 5_000  # rows per fetch when registrations are streamed

_Statement = TypeVar("_Statement", bound="Select[Any] | Select[Any, Any]")


def _scoped(statement: _Statement, visible: Collection[str] | None) -> _Statement:
    if visible is None:
        return statement
    return statement.where(RegistrationRow.organisation_id.in_(list(visible)))  # type: ignore[return-value]


SUMMARY_COLUMNS = (
    RegistrationRow.id,
    RegistrationRow.name,
    RegistrationRow.organisation_id,
    RegistrationRow.provider,
    RegistrationRow.deployment,
    RegistrationRow.verdict,
    RegistrationRow.deadline,
    RegistrationRow.is_material,
    RegistrationRow.is_public_cloud,
    RegistrationRow.jurisdictions,
    RegistrationRow.findings_count,
    RegistrationRow.evaluated_on,
    RegistrationRow.version,
    RegistrationRow.verdict_best,
    RegistrationRow.verdict_worst,
)


def _filters(
    query: RegistrationQuery, visible: Collection[str] | None, session: Session | None = None
) -> dict[str, Any]:
    """The list's filters that apply, as bound parameter values by name (see ``_condition``).
    A filter of several values matches any of them (a list, bound as ``IN``)."""
    values: dict[str, Any] = {}
    if visible is not None:
        values["visible"] = list(visible)
    for name in ("organisation", "verdict", "worst", "deployment", "provider", "jurisdiction"):
        chosen = choices(getattr(query, name))
        if chosen:
            values[name] = list(chosen)
    for name in ("material", "public_cloud"):
        value = getattr(query, name)
        if value is not None:
            values[name] = value
    if query.search:
        values["search"] = f"%{query.search.lower()}%"
    parents, ultimate = choices(query.parent), choices(query.ultimate_parent)
    if parents or ultimate:
        directory = _directory(session, visible)
        if parents:
            values["parent"] = sorted(directory.dependants(parents))
        if ultimate:
            values["ultimate_parent"] = sorted(directory.ultimate_children(ultimate))
    return values


def _directory(session: Session | None, visible: Collection[str] | None) -> ProviderDirectory:
    """The catalogue with the own providers of the organisations one may see."""
    own = [provider_from_row(row) for row in providers(session, visible)] if session else []
    return catalogue_directory(own)


def _unknown(fact: str) -> Any:
    """The condition that a fact is unknown (domain/knowledge.py ``is_unknown``): NULL; for a
    provider, not when the deployment is private-internal (no provider then); for the countries,
    an empty list too; ``organisation.<flag>``: the registration's organisation's flag."""
    r = RegistrationRow
    if fact.startswith("organisation."):
        flag = getattr(OrganisationRow, fact.removeprefix("organisation."))
        return r.organisation_id.in_(select(OrganisationRow.id).where(flag.is_(None)))
    column = getattr(r, fact)
    if fact == "provider":
        internal = Deployment.PRIVATE_INTERNAL.value
        return column.is_(None) & (r.deployment.is_(None) | (r.deployment != internal))
    if fact in NEVER_EMPTY:
        return column.is_(None) | (cast(column, String) == "[]")
    return column.is_(None)


def _condition(name: str, dialect: str) -> Any:
    """The condition of one filter, on a bound parameter of the same name (``unknown:<fact>``:
    that fact is unknown, no parameter)."""
    r = RegistrationRow
    if name.startswith("unknown:"):
        return _unknown(name.removeprefix("unknown:"))
    if name == "visible":
        return r.organisation_id.in_(bindparam("visible", expanding=True))
    if name == "jurisdiction":
        in_chain = select(RegistrationJurisdictionRow.registration_id).where(
            RegistrationJurisdictionRow.country.in_(bindparam("jurisdiction", expanding=True))
        )
        return r.id.in_(in_chain)
    if name == "parent":
        ids: Any = bindparam("parent", expanding=True)
        return r.provider.in_(ids) | r.id.in_(_using_subprocessor(ids, dialect))
    if name == "ultimate_parent":
        return r.provider.in_(bindparam("ultimate_parent", expanding=True))
    if name.startswith("external_cloud:"):
        internal = Deployment.PRIVATE_INTERNAL.value
        if name == "external_cloud:true":
            return r.deployment.is_not(None) & (r.deployment != internal)
        return r.deployment == internal
    if name == "public_cloud":
        return r.is_public_cloud == bindparam("public_cloud")
    if name == "search":
        pattern = bindparam("search", type_=String)
        return func.lower(r.id).like(pattern) | func.lower(func.coalesce(r.name, "")).like(pattern)
    if name == "material":
        return r.is_material == bindparam(name)
    column = {
        "organisation": r.organisation_id,
        "verdict": r.verdict,
        "worst": r.verdict_worst,
        "deployment": r.deployment,
        "provider": r.provider,
    }[name]
    return column.in_(bindparam(name, expanding=True))


def _using_subprocessor(ids: Any, dialect: str) -> Any:
    """The registrations with one of these providers among their own sub-processors."""
    r = RegistrationRow
    if dialect == "postgresql":
        element = func.jsonb_array_elements_text(type_coerce(r.subprocessors, JSONB))
        value = element.table_valued("value")
        return (
            select(r.id)
            .select_from(r)
            .join(value, true())
            .where(r.subprocessors.is_not(None), value.c.value.in_(ids))
            .correlate(None)
        )
    each = func.json_each(r.subprocessors).table_valued("value")
    return (
        select(r.id)
        .select_from(r)
        .join(each, true())
        .where(r.subprocessors.is_not(None), each.c.value.in_(ids))
        .correlate(None)
    )


@lru_cache(maxsize=512)
def _list_statements(
    filters: tuple[str, ...], sort: str, descending: bool, dialect: str = "sqlite"
) -> tuple[Select[*tuple[Any, ...]], Select[int]]:
    """The page (with the total) and the count alone, for one combination of filters and order.

    Values are bound parameters, so each shape is built once per process: building and keying a
    statement of this size cost about 0.2 ms of CPU per request, several times its execution.
    """
    conditions = [_condition(name, dialect) for name in filters]
    column = SORT_COLUMNS[sort]
    order = [(column.desc() if descending else column.asc()).nulls_last()]
    if sort != "id":
        order.append(RegistrationRow.id.desc() if descending else RegistrationRow.id.asc())
    counted = select(func.count()).select_from(RegistrationRow).where(*conditions)
    page_ids = (
        select(RegistrationRow.id)
        .where(*conditions)
        .order_by(*order)
        .offset(bindparam("offset"))
        .limit(bindparam("limit"))
        .correlate(None)  # its own FROM registrations, not the outer query's
    )
    page = (
        select(*SUMMARY_COLUMNS, counted.correlate(None).scalar_subquery().label("total"))
        .where(RegistrationRow.id.in_(page_ids))
        .order_by(*order)
    )
    return page, counted


def list_registrations(
    session: Session, query: RegistrationQuery, visible: Collection[str] | None
) -> tuple[list[tuple[Any, ...]], int]:
    """One page of summary rows (plain tuples of ``SUMMARY_COLUMNS``, no ORM objects: this is
    the hot path) and the total.

    The total comes with the page as an uncorrelated subquery: one round trip, and the database
    counts the matching index entries once instead of carrying a window over every matching row
    (``count(*) over ()`` reads them all to number them). The page's ids are chosen first, in
    a subquery that needs only the ids (an index-only scan for the usual filters), and only those
    rows are read whole: on PostgreSQL the row-level security condition, whose selectivity the
    planner cannot know, otherwise makes it estimate a handful of matching rows and read every
    matching row from the table to sort them (2,352 rows for a page of 50). Empty values sort
    last in both directions, on SQLite and PostgreSQL alike.
    """
    values = _filters(query, visible, session)
    names = (*values, *(f"unknown:{fact}" for fact in query.unknown))
    if query.external_cloud is not None:
        names = (*names, f"external_cloud:{'true' if query.external_cloud else 'false'}")
    dialect = session.get_bind().dialect.name
    page, counted = _list_statements(names, query.sort, query.descending, dialect)
    parameters = {**values, "offset": query.offset, "limit": query.page_size}
    # Through the session's connection (a Core statement needs none of the ORM's result
    # handling), fetched at once (iterating would fetch row by row).
    rows = session.connection().execute(page, parameters).fetchall()
    if rows:
        return [row[:-1] for row in rows], int(rows[0][-1])
    if query.offset == 0:
        return [], 0
    return [], int(session.scalar(counted, values) or 0)


def get_registration(
    session: Session, registration_id: str, visible: Collection[str] | None
) -> RegistrationRow | None:
    row = session.get(RegistrationRow, registration_id)
    if row is None or (visible is not None and row.organisation_id not in visible):
        return None
    return row


def registrations_of(
    session: Session, organisation_ids: Collection[str] | None
) -> Sequence[RegistrationRow]:
    return session.scalars(
        _scoped(select(RegistrationRow), organisation_ids).order_by(RegistrationRow.id)
    ).all()


def registration_records(
    session: Session, organisation_ids: Collection[str] | None
) -> Iterator[Row[Any]]:
    """The domain fields of the registrations (``REGISTRATION_COLUMNS``, in that order), by id:
    one Core statement whose rows are converted in parts, without ORM rows or the stored
    outcome. (No server-side cursor: reads run in autocommit on PostgreSQL.)"""
    table = RegistrationRow.__table__
    statement = select(*(table.c[name] for name in REGISTRATION_COLUMNS)).order_by(table.c.id)
    for part in session.execute(_scoped(statement, organisation_ids)).partitions(RECORD_PART):
        yield from part


def stale_registrations(
    session: Session, as_of: dt.date, revision: str, limit: int
) -> Sequence[RegistrationRow]:
    """Registrations last evaluated before ``as_of``, under another policy revision, or never."""
    stale = (
        (RegistrationRow.evaluated_on < as_of)
        | RegistrationRow.evaluated_on.is_(None)
        | (RegistrationRow.policy_revision != revision)
        | RegistrationRow.policy_revision.is_(None)
    )
    return session.scalars(
        select(RegistrationRow).where(stale).order_by(RegistrationRow.id).limit(limit)
    ).all()


def set_jurisdictions(session: Session, registration_id: str, countries: Iterable[str]) -> None:
    session.execute(
        delete(RegistrationJurisdictionRow).where(
            RegistrationJurisdictionRow.registration_id == registration_id
        )
    )
    session.add_all(
        RegistrationJurisdictionRow(registration_id=registration_id, country=c) for c in countries
    )


def organisations(session: Session, visible: Collection[str] | None) -> Sequence[OrganisationRow]:
    statement = select(OrganisationRow).order_by(OrganisationRow.id)
    if visible is not None:
        statement = statement.where(OrganisationRow.id.in_(list(visible)))
    return session.scalars(statement).all()


def providers_of(session: Session, organisation_id: str) -> Sequence[ProviderRow]:
    return session.scalars(
        select(ProviderRow)
        .where(ProviderRow.organisation_id == organisation_id)
        .order_by(ProviderRow.id)
    ).all()


def providers(session: Session, visible: Collection[str] | None) -> Sequence[ProviderRow]:
    statement = select(ProviderRow).order_by(ProviderRow.id)
    if visible is not None:
        statement = statement.where(ProviderRow.organisation_id.in_(list(visible)))
    return session.scalars(statement).all()


def decisions_of(
    session: Session, registration_id: str, visible: Collection[str] | None, limit: int = 50
) -> Sequence[DecisionRow]:
    """Decisions of a registration id, only those of visible organisations: an id can be
    reused by another organisation after a delete, and its old decisions are not theirs."""
    statement = select(DecisionRow).where(DecisionRow.registration_id == registration_id)
    if visible is not None:
        statement = statement.where(DecisionRow.organisation_id.in_(list(visible)))
    return session.scalars(statement.order_by(DecisionRow.id.desc()).limit(limit)).all()


def latest_decision(session: Session, registration_id: str) -> DecisionRow | None:
    return session.scalars(
        select(DecisionRow)
        .where(DecisionRow.registration_id == registration_id)
        .order_by(DecisionRow.id.desc())
        .limit(1)
    ).first()


def audit_of(
    session: Session,
    object_type: str,
    object_id: str,
    visible: Collection[str] | None,
    limit: int = 100,
    offset: int = 0,
) -> Sequence[AuditRow]:
    """Audit rows of an object, newest first, only those of visible organisations (see
    decisions_of); ``offset`` rows skipped (the id orders them, so pages do not overlap)."""
    statement = _audit_of(select(AuditRow), object_type, object_id, visible)
    ordered = statement.order_by(AuditRow.id.desc()).limit(limit).offset(offset)
    return session.scalars(ordered).all()


def audit_count(
    session: Session, object_type: str, object_id: str, visible: Collection[str] | None
) -> int:
    """How many audit rows ``audit_of`` has for the object in all."""
    statement = _audit_of(
        select(func.count()).select_from(AuditRow), object_type, object_id, visible
    )
    return int(session.scalar(statement) or 0)


def _audit_of(
    statement: Select[Any], object_type: str, object_id: str, visible: Collection[str] | None
) -> Select[Any]:
    statement = statement.where(
        AuditRow.object_type == object_type, AuditRow.object_id == object_id
    )
    if visible is not None:
        statement = statement.where(AuditRow.organisation_id.in_(list(visible)))
    return statement


def verdict_counts(
    session: Session, visible: Collection[str] | None, organisation: str | None = None
) -> dict[str, int]:
    statement = _scoped(select(RegistrationRow.verdict, func.count()), visible)
    if organisation is not None:
        statement = statement.where(RegistrationRow.organisation_id == organisation)
    return {
        str(v): n for v, n in session.execute(statement.group_by(RegistrationRow.verdict)).all()
    }
