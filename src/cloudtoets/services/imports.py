"""Import an inventory into the register (preview, then all or nothing) and export it again.

An upload goes through the same reader and validation path as ``cloudtoets check``, in a worker
process with bounded work when it came over the network (``services.uploads``); on top, the
register checks what only it knows (may this user write these organisations, is a registration id
taken by another organisation). The preview lists every problem and what would change; the commit
repeats the whole check inside one transaction and stores everything or nothing.
"""

from __future__ import annotations

import dataclasses
import pickle
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import IO, Any, cast

import orjson
from sqlalchemy import Table, bindparam, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from cloudtoets import security_log
from cloudtoets.catalogue import catalogue_directory
from cloudtoets.domain.model import Inventory, Organisation, Provider, Registration
from cloudtoets.domain.serialise import jsonable
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.io.read import FORMATS
from cloudtoets.io.write import write_inventory
from cloudtoets.problems import InputError, Problem
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.declared_evidence import declare
from cloudtoets.services.evaluation import RegisterEvaluator
from cloudtoets.services.permissions import Permission
from cloudtoets.services.uow import UnitOfWork, read_only, system_session, unit_of_work
from cloudtoets.services.uploads import Upload, read_upload, read_upload_bounded
from cloudtoets.services.workflow_projection import (
    EMPTY_EVIDENCE,
    EVIDENCE_ENDPOINTS,
    apply_derived_fields,
    current_evidence,
    mark_renotification,
    material_changes,
    registrations_with_workflow,
    written_evidence,
)
from cloudtoets.store import audit as audit_chain
from cloudtoets.store import repositories as repo
from cloudtoets.store.bulk import insert_rows
from cloudtoets.store.mapping import (
    organisation_from_row,
    organisation_values,
    provider_from_row,
    provider_values,
    registration_from_row,
    registration_values,
)
from cloudtoets.store.tables import (
    DecisionRow,
    OrganisationRow,
    ProviderRow,
    RegistrationJurisdictionRow,
    RegistrationRow,
)

Progress = Callable[[int, int], None]


@dataclass
class Changes:
    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


@dataclass
class ImportPlan:
    """What an import would do, or why it cannot."""

    source: str
    problems: list[Problem] = field(default_factory=list)
    organisations: Changes = field(default_factory=Changes)
    providers: Changes = field(default_factory=Changes)
    registrations: Changes = field(default_factory=Changes)
    verdicts: dict[str, int] = field(default_factory=dict)
    # what the file holds but the import does not take over (evidence, decision 30)
    notes: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def upload_formats() -> tuple[str, ...]:
    """The file endings an import accepts, for a page that asks for a file."""
    return FORMATS


def _read_upload(register: Register, filename: str, data: bytes, *, uploaded: bool) -> Upload:
    """``uploaded``: the bytes came over the network, so the upload limit applies and they are
    read with bounded work; a file the operator names on the command line is read here, whatever
    its size."""
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            filename, [Problem("", f"onbekend bestandsformaat; gebruik {', '.join(FORMATS)}")]
        )
    limit = register.settings.max_upload_bytes
    if uploaded and len(data) > limit:
        raise InputError(
            filename,
            [Problem("", f"het bestand is groter dan {limit // (1024 * 1024)} MB; splits het op")],
        )
    if uploaded:
        return read_upload_bounded(filename, data)
    return read_upload(filename, data)


def _users_of_document_providers(inventory: Inventory) -> dict[str, set[str]]:
    """Document provider id -> the organisations whose registrations' chains pass through it.

    A supplier's parent is part of every chain the supplier is in, and so are the suppliers it
    uses itself (its own sub-processors, with their parents): an organisation that names only a
    subsidiary also needs those document providers (else its chain breaks off).
    """
    by_id = {p.id: p for p in inventory.providers}
    users: dict[str, set[str]] = {}
    for registration in inventory.registrations:
        pending = [registration.provider, *(registration.subprocessors or ())]
        seen: set[str] = set()
        while pending:  # cycles of parents were refused; ``seen`` stops the rest
            provider = by_id.get(pending.pop() or "")
            if provider is None or provider.id in seen:
                continue
            seen.add(provider.id)
            users.setdefault(provider.id, set()).add(registration.organisation)
            pending += [provider.parent, *provider.subprocessors]
    return users


# PostgreSQL takes at most 65,535 parameters in one statement: look ids up in parts.
LOOKUP_CHUNK = 10_000


def _existing_registrations(session: Session, ids: list[str]) -> dict[str, RegistrationRow]:
    existing: dict[str, RegistrationRow] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        for row in session.scalars(select(RegistrationRow).where(RegistrationRow.id.in_(chunk))):
            existing[row.id] = row
    return existing


def _stored_rows(
    session: Session, organisation_ids: list[str]
) -> tuple[dict[str, OrganisationRow], dict[tuple[str, str], ProviderRow]]:
    """The stored organisations and their providers, by key: one query each instead of a
    ``session.get`` per organisation and per provider."""
    organisations = {
        row.id: row
        for row in session.scalars(
            select(OrganisationRow).where(OrganisationRow.id.in_(organisation_ids))
        )
    }
    providers = {
        (row.organisation_id, row.id): row
        for row in session.scalars(
            select(ProviderRow).where(ProviderRow.organisation_id.in_(organisation_ids))
        )
    }
    return organisations, providers


def _taken_ids(register: Register, ids: list[str]) -> set[str]:
    """The ids among ``ids`` that a stored registration has, whichever organisation it is of.

    Row-level security hides another organisation's registrations from the actor's session (on
    PostgreSQL), but their ids are unique over all organisations: an import would hit the unique
    key. This looks in a session of the installation, and only whether an id is taken leaves
    it: nothing of the registration, not even its organisation.
    """
    taken: set[str] = set()
    with system_session(register.sessions) as session, session.begin():
        for start in range(0, len(ids), LOOKUP_CHUNK):
            chunk = ids[start : start + LOOKUP_CHUNK]
            taken.update(
                session.scalars(select(RegistrationRow.id).where(RegistrationRow.id.in_(chunk)))
            )
    return taken


def _take_out_evidence(
    session: Session, checked: Upload
) -> tuple[list[Problem], dict[str, Registration]]:
    """Empty the evidence fields of the file's registrations: in the register they come only from
    the workflows (decision 30). The risk assessment, exit plan, notification and justifications
    are stored as declared evidence, to be confirmed by an approver. Evidence equal to what the
    register's workflows already say (an export read back) is no new evidence. One note per
    registration that had any; returns the notes and the registrations as the file had them."""
    notes: list[Problem] = []
    registrations = []
    with_evidence: dict[str, Registration] = {}
    written = {
        r.id: names
        for r in checked.inventory.registrations
        if (names := written_evidence(r, EMPTY_EVIDENCE))
    }
    stored = _existing_registrations(session, list(written))  # a query per 10,000, not per row
    for registration in checked.inventory.registrations:
        names = written.get(registration.id, [])
        if names:
            row = stored.get(registration.id)
            if row is not None and row.organisation_id == registration.organisation:
                names = written_evidence(registration, current_evidence(row))
        if names:
            what = ", ".join(EVIDENCE_ENDPOINTS[name][0] for name in names)
            message = (
                f"{what} uit het bestand is opgeslagen als te bevestigen: het telt pas mee als "
                "een accordeerder van de organisatie het bevestigt (pagina Te bevestigen)"
            )
            notes.append(Problem(f"registratie {registration.id}", message))
            with_evidence[registration.id] = registration
            registration = dataclasses.replace(registration, **EMPTY_EVIDENCE)
        registrations.append(registration)
    checked.inventory.registrations = registrations
    return notes, with_evidence


# organisation master data: it decides which rules apply, so only these roles change it
MASTER_DATA = {
    "type": "het type",
    "critical_entity": "of het een kritieke entiteit is",
    "essential_entity": "of het een essentiële entiteit is",
    "vital_provider": "of het een vitale aanbieder is",
}
MASTER_DATA_ROLES = frozenset({"admin", "cio-rijk"})


def may_change_master_data(actor: Actor) -> bool:
    """Only an admin or CIO Rijk changes an organisation's type and entity flags."""
    return bool(actor.roles & MASTER_DATA_ROLES)


def _keep_master_data(session: Session, actor: Actor, checked: Upload) -> list[Problem]:
    """For an actor without an admin or CIO Rijk role: an organisation row that would change the
    master data of a known organisation (in the register, else the built-in catalogue of Rijk
    organisations) changes nothing; one note per field, in the file's words."""
    if may_change_master_data(actor):
        return []
    from cloudtoets.catalogue.organisations import catalogue_organisations

    builtin = {o.id: o for o in catalogue_organisations()}
    notes: list[Problem] = []
    kept: list[Organisation] = []
    for number, organisation in enumerate(checked.inventory.organisations, start=1):
        row = session.get(OrganisationRow, organisation.id)
        known = organisation_from_row(row) if row is not None else builtin.get(organisation.id)
        if known is None:  # a new organisation outside the catalogue states its own
            kept.append(organisation)
            continue
        # a flag the file leaves out (unknown) is no attempt to change it
        changed = [
            name
            for name in MASTER_DATA
            if getattr(organisation, name) is not None
            and getattr(organisation, name) != getattr(known, name)
        ]
        for name in changed:
            notes.append(
                Problem(
                    f"rij {number}",
                    f"{MASTER_DATA[name]} van organisatie {organisation.id} kan alleen een "
                    "beheerder of CIO Rijk wijzigen; deze rij verandert niets",
                    ("organisations", number - 1),
                    name,
                )
            )
        if changed:
            kept.append(known)
        else:
            kept.append(
                dataclasses.replace(
                    organisation, **{name: getattr(known, name) for name in MASTER_DATA}
                )
            )
        checked.organisations[organisation.id] = kept[-1]
    checked.inventory.organisations = kept
    return notes


ID_TAKEN = "dit kenmerk is al in gebruik; kies een ander kenmerk"


def _plan(
    register: Register, session: Session, actor: Actor, checked: Upload, source: str
) -> tuple[ImportPlan, dict[str, list[Provider]], dict[str, RegistrationRow]]:
    """The plan, the document providers per organisation, and the stored rows of the file's
    registrations."""
    plan = ImportPlan(source)
    plan.notes += _keep_master_data(session, actor, checked)
    inventory = checked.inventory
    plan.problems += checked.problems
    # organisations named by registrations but not in the document come from the built-in list
    named = {r.organisation for r in inventory.registrations} | {
        o.id for o in inventory.organisations
    }
    for organisation_id in sorted(named):
        if not actor.may_see(organisation_id):
            plan.problems.append(
                Problem(
                    f"organisatie {organisation_id}",
                    "u mag geen gegevens van deze organisatie importeren",
                )
            )
    organisations = {o.id: o for o in inventory.organisations}
    for organisation_id in named - set(organisations):
        organisations[organisation_id] = checked.organisations[organisation_id]
    stored_organisations, stored_providers = _stored_rows(
        session, sorted(o for o in organisations if actor.may_see(o))
    )
    for organisation in organisations.values():
        if not actor.may_see(organisation.id):
            continue
        organisation_row = stored_organisations.get(organisation.id)
        target = plan.organisations
        if organisation_row is None:
            target.new.append(organisation.id)
        elif organisation_from_row(organisation_row) != organisation:
            target.changed.append(organisation.id)
        else:
            target.unchanged.append(organisation.id)

    # a document provider belongs to every organisation whose registrations use it
    providers_by_organisation: dict[str, list[Provider]] = {}
    users = _users_of_document_providers(inventory)
    for provider in inventory.providers:
        for organisation_id in sorted(users.get(provider.id, ())):
            if not actor.may_see(organisation_id):
                continue
            providers_by_organisation.setdefault(organisation_id, []).append(provider)
            provider_row = stored_providers.get((organisation_id, provider.id))
            key = f"{organisation_id}/{provider.id}"
            if provider_row is None:
                plan.providers.new.append(key)
            elif provider_from_row(provider_row) != provider:
                plan.providers.changed.append(key)
            else:
                plan.providers.unchanged.append(key)

    existing = _existing_registrations(session, [r.id for r in inventory.registrations])
    unseen = [r.id for r in inventory.registrations if r.id not in existing]
    hidden = _taken_ids(register, unseen) if unseen else set()
    for registration in inventory.registrations:
        if not actor.may_see(registration.organisation):
            continue  # refused above; comparing would reveal the other organisation's data
        row = existing.get(registration.id)
        if registration.id in hidden or (
            row is not None and row.organisation_id != registration.organisation
        ):
            # the same words whether the other registration is visible or hidden
            plan.problems.append(Problem(f"registratie {registration.id}", ID_TAKEN))
        elif row is None:
            plan.registrations.new.append(registration.id)
        elif registration_from_row(row) != registration:
            plan.registrations.changed.append(registration.id)
        else:
            plan.registrations.unchanged.append(registration.id)
    return plan, providers_by_organisation, existing


def preview_import(
    register: Register, actor: Actor, filename: str, data: bytes, *, uploaded: bool = True
) -> ImportPlan:
    """Check an upload and say what an import would change; stores nothing."""
    try:
        checked = _read_upload(register, filename, data, uploaded=uploaded)
    except InputError as error:
        return ImportPlan(filename, problems=error.problems)
    with read_only(register.sessions, actor) as session:
        notes, _ = _take_out_evidence(session, checked)
        plan, _, _ = _plan(register, session, actor, checked, filename)
    plan.notes += notes
    if plan.ok:
        from cloudtoets.engine.context import EvaluationContext
        from cloudtoets.engine.evaluate import evaluate_registrations

        context = EvaluationContext(checked.organisations, checked.providers)
        for decision in evaluate_registrations(
            checked.inventory.registrations, context, register.policy, register.today()
        ):
            plan.verdicts[decision.verdict.value] = plan.verdicts.get(decision.verdict.value, 0) + 1
    return plan


# registrations written per statement batch, and per part of the spool file
BATCH = 2_000
# how often an import starts again when the register changed between its check and its write
ATTEMPTS = 3
MOVED = (
    "het register veranderde steeds terwijl dit bestand werd geïmporteerd; "
    "importeer het bestand opnieuw"
)


class _Moved(Exception):
    """What the import checked changed before it could write: check again."""


def commit_import(
    register: Register,
    actor: Actor,
    filename: str,
    data: bytes,
    progress: Progress | None = None,
    *,
    uploaded: bool = True,
    evidence_from_file: bool = False,
) -> ImportPlan:
    """Store an upload completely, or nothing at all (InputError with every problem).

    The file's evidence fields are not taken over: in the register they come from the workflows
    only. Its risk assessments, exit plans, notifications and justifications are stored as
    declared evidence,
    to be confirmed by an approver (services/declared_evidence.py); ``plan.notes`` says so.
    ``evidence_from_file`` is for the built-in demo data alone, never for a user's file.

    Two steps, so that the write transaction is short (decision 62): first the file is checked,
    planned and evaluated in a read-only snapshot, and the rows, decision records and audit
    records it will write go to temporary files in batches; then one transaction checks that the
    register did not change meanwhile (else all of it starts again) and writes the batches as
    multi-row statements. A crash in either step stores nothing.
    """
    actor.require(Permission.WRITE_REGISTER)
    for attempt in range(ATTEMPTS):
        checked = _read_upload(register, filename, data, uploaded=uploaded)
        with tempfile.TemporaryFile() as rows, tempfile.TemporaryFile() as audit:
            prepared = _prepare(
                register, actor, checked, filename, evidence_from_file, rows, audit, progress
            )
            del checked
            try:
                with unit_of_work(register.sessions, actor) as uow:
                    _write(uow, register, prepared, filename, rows, audit)
            except (_Moved, StaleDataError, IntegrityError):
                # an id taken meanwhile is found by the next check (ID_TAKEN)
                if attempt == ATTEMPTS - 1:
                    raise InputError(filename, [Problem("", MOVED)]) from None
                continue
        return prepared.plan
    raise AssertionError("unreachable")  # pragma: no cover


def _upsert(
    session: Session,
    row_type: type[Any],
    key: Any,
    values: dict[str, Any],
    stored: dict[Any, Any] | None = None,
) -> tuple[Any, dict[str, Any] | None]:
    """``stored``: the rows of ``row_type`` already loaded, by key (else one query)."""
    row = session.get(row_type, key) if stored is None else stored.get(key)
    before = None
    if row is None:
        row = row_type(**values)
        session.add(row)
    else:
        before = {k: jsonable(getattr(row, k)) for k in values}
        for name, value in values.items():
            setattr(row, name, value)
    return row, before


@dataclass
class _Prepared:
    """What the check and evaluation before the write transaction found and wrote aside."""

    plan: ImportPlan
    organisations: dict[str, Organisation]
    providers_by_organisation: dict[str, list[Provider]]
    evidence: dict[str, Registration]
    # registrations with workflow objects: their fields depend on those, so they are
    # evaluated and stored one by one inside the transaction (few in any register)
    with_workflow: list[Registration]
    # what the check saw: version per registration id of the file (None: not stored)
    versions: dict[str, int | None]
    organisation_versions: dict[str, int]
    provider_versions: dict[tuple[str, str], int]
    batches: int = 0  # parts written to the spool files


# an import's audit record of a registration, as audit_chain.Entry takes them in order:
# actor, organisation, request id, action, object type, object id, before, after (as stored)
AuditFields = tuple[
    str, str, str | None, str, str, str, dict[str, Any] | None, dict[str, Any] | None
]


@dataclass
class _Batch:
    new: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    # (registration id, countries, whether stored ones are replaced)
    jurisdictions: list[tuple[str, list[str], bool]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    # the fields of each audit record (``AuditFields``): tuples pickle without the dataclass's
    # __getstate__ and __setstate__ in Python, about three times faster
    audit: list[AuditFields] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.new) + len(self.changed)


def _import_organisations(checked: Upload) -> dict[str, Organisation]:
    """The file's organisations and the built-in ones its registrations name."""
    inventory = checked.inventory
    organisations: dict[str, Organisation] = {o.id: o for o in inventory.organisations}
    for organisation_id in {r.organisation for r in inventory.registrations} - set(organisations):
        organisations[organisation_id] = checked.organisations[organisation_id]
    return organisations


def _prepare(
    register: Register,
    actor: Actor,
    checked: Upload,
    filename: str,
    evidence_from_file: bool,
    rows: IO[bytes],
    audit: IO[bytes],
    progress: Progress | None,
) -> _Prepared:
    """Check, plan and evaluate in one read-only snapshot; InputError with every problem.

    The rows, decision records and audit records of the registrations without workflow
    objects go to ``rows`` and ``audit`` in batches (pickled), so memory stays bounded.
    """
    with read_only(register.sessions, actor, consistent=True) as session:
        notes, evidence = ([], {}) if evidence_from_file else _take_out_evidence(session, checked)
        plan, providers_by_organisation, existing = _plan(
            register, session, actor, checked, filename
        )
        plan.notes += notes
        if not plan.ok:
            raise InputError(filename, plan.problems)
        organisations = _import_organisations(checked)
        organisation_versions = dict(
            session.execute(
                select(OrganisationRow.id, OrganisationRow.version).where(
                    OrganisationRow.id.in_(list(organisations))
                )
            ).all()
        )
        stored_providers: dict[str, dict[str, Provider]] = {o: {} for o in organisations}
        provider_versions: dict[tuple[str, str], int] = {}
        for provider_row in session.scalars(
            select(ProviderRow).where(ProviderRow.organisation_id.in_(list(organisations)))
        ):
            provider_versions[(provider_row.organisation_id, provider_row.id)] = (
                provider_row.version
            )
            stored_providers[provider_row.organisation_id][provider_row.id] = provider_from_row(
                provider_row
            )
        # evaluate against the organisation and providers as they will be once stored
        evaluator = RegisterEvaluator(session, register.policy, register.today())
        for organisation_id, organisation in organisations.items():
            providers = stored_providers[organisation_id]
            for provider in providers_by_organisation.get(organisation_id, ()):
                providers[provider.id] = provider_from_row(
                    ProviderRow(**provider_values(provider, organisation_id))
                )
            as_stored_organisation = organisation_from_row(
                OrganisationRow(**organisation_values(organisation))
            )
            evaluator.use_context(
                organisation_id,
                EvaluationContext(
                    {organisation_id: as_stored_organisation},
                    catalogue_directory([providers[p] for p in sorted(providers)]),
                ),
            )

        unchanged = set(plan.registrations.unchanged)
        versions: dict[str, int | None] = {}
        for registration_id in unchanged:
            versions[registration_id] = existing[registration_id].version
            _count(plan, existing[registration_id].verdict)
        todo = [r for r in checked.inventory.registrations if r.id not in unchanged]
        workflow_ids = registrations_with_workflow(session, {r.organisation for r in todo})
        prepared = _Prepared(
            plan,
            organisations,
            providers_by_organisation,
            evidence,
            [],
            versions,
            organisation_versions,
            provider_versions,
        )
        batch = _Batch()
        for done, registration in enumerate(todo, start=1):
            stored = existing.get(registration.id)
            versions[registration.id] = None if stored is None else stored.version
            if registration.id in workflow_ids:
                prepared.with_workflow.append(registration)
            else:
                _prepare_one(evaluator, actor, batch, registration, stored, plan)
            if len(batch) >= BATCH:
                _spool(batch, rows, audit, prepared)
                batch = _Batch()
            if progress is not None and (done % 500 == 0 or done == len(todo)):
                progress(done, len(todo))
        _spool(batch, rows, audit, prepared)
    return prepared


def _count(plan: ImportPlan, verdict: str | None) -> None:
    if verdict is not None:
        plan.verdicts[verdict] = plan.verdicts.get(verdict, 0) + 1


def _prepare_one(
    evaluator: RegisterEvaluator,
    actor: Actor,
    batch: _Batch,
    registration: Registration,
    row: RegistrationRow | None,
    plan: ImportPlan,
) -> None:
    """The row, jurisdictions, decision record and audit record of one registration without
    workflow objects, as ``RegisterEvaluator.apply`` would write them."""
    outcome = evaluator.outcome(registration)
    # the snapshot holds the registration's JSON form: the row's values are made from it
    as_json = outcome.snapshot["registrations"][0]
    values = registration_values(registration, as_json)
    before = None if row is None else {k: jsonable(getattr(row, k)) for k in values}
    values.update(outcome.values)
    _count(plan, values["verdict"])
    countries = list(outcome.decision.jurisdictions)
    if row is None:
        batch.new.append(values)
        batch.jurisdictions.append((registration.id, countries, False))
    else:
        values["b_id"], values["b_version"] = row.id, row.version
        batch.changed.append(values)
        if row.jurisdictions != values["jurisdictions"]:
            batch.jurisdictions.append((registration.id, countries, True))
    if row is None or row.decision_hash != values["decision_hash"]:
        batch.decisions.append(
            _encoded(evaluator.decision_values(registration.id, registration.organisation, outcome))
        )
    batch.audit.append(
        (
            actor.user,
            registration.organisation,
            actor.request_id,
            "import",
            "registration",
            registration.id,
            audit_chain.as_stored(before),
            audit_chain.as_stored(as_json),
        )
    )


# the JSON columns of a decision record: the spool holds them as JSON text, encoded once
DECISION_JSON = ("input", "result")


def _encoded(decision: dict[str, Any]) -> dict[str, Any]:
    """A decision record with its JSON values as JSON text: far cheaper to pickle and read
    back than the nested dicts of its snapshot and result. As ``str``: the bytes orjson
    returns keep its whole write buffer (about 16 KB each), a batch's worth of them 14 MB."""
    for name in DECISION_JSON:
        decision[name] = orjson.dumps(decision[name], option=orjson.OPT_NON_STR_KEYS).decode()
    return decision


def _decoded(decisions: list[dict[str, Any]], postgresql: bool) -> list[dict[str, Any]]:
    """The decision records back from the spool, ready for the JSON columns. On PostgreSQL the
    text goes in as it is (JSONB keeps the value; store/db.py writes it with orjson, which
    passes a Fragment on unchanged); SQLite gets the values again, so its standard json module
    writes the same text as before."""
    as_value: Callable[[str], Any] = orjson.Fragment if postgresql else orjson.loads
    for decision in decisions:
        for name in DECISION_JSON:
            decision[name] = as_value(decision[name])
    return decisions


def _spool(batch: _Batch, rows: IO[bytes], audit: IO[bytes], prepared: _Prepared) -> None:
    if not len(batch):
        return
    pickle.dump(
        (batch.new, batch.changed, batch.jurisdictions, batch.decisions),
        rows,
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    pickle.dump(batch.audit, audit, protocol=pickle.HIGHEST_PROTOCOL)
    prepared.batches += 1


def _unspooled(spool: IO[bytes], count: int) -> Iterator[Any]:
    spool.seek(0)
    for _ in range(count):
        yield pickle.load(spool)  # a temporary file this process wrote itself


def _audit_entries(spool: IO[bytes], count: int) -> Iterator[list[audit_chain.Entry]]:
    """The audit records back from the spool, a batch at a time."""
    for batch in _unspooled(spool, count):
        fields: list[AuditFields] = batch
        yield [
            audit_chain.Entry(actor, organisation, request, action, kind, key, before, after, True)
            for actor, organisation, request, action, kind, key, before, after in fields
        ]


def _check_unchanged(session: Session, prepared: _Prepared) -> None:
    """_Moved unless every version the check saw is still the stored one. On PostgreSQL the
    organisations and providers stay locked until the commit; on SQLite the transaction already
    holds the database's write lock."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    organisations = select(OrganisationRow.id, OrganisationRow.version).where(
        OrganisationRow.id.in_(list(prepared.organisations))
    )
    providers = select(ProviderRow.organisation_id, ProviderRow.id, ProviderRow.version).where(
        ProviderRow.organisation_id.in_(list(prepared.organisations))
    )
    if postgresql:
        organisations, providers = organisations.with_for_update(), providers.with_for_update()
    if dict(session.execute(organisations).all()) != prepared.organisation_versions:
        raise _Moved
    current = {(o, p): v for o, p, v in session.execute(providers)}
    if current != prepared.provider_versions:
        raise _Moved
    ids = list(prepared.versions)
    stored: dict[str, int] = {}
    for start in range(0, len(ids), LOOKUP_CHUNK):
        chunk = ids[start : start + LOOKUP_CHUNK]
        stored.update(
            (i, v)
            for i, v in session.execute(
                select(RegistrationRow.id, RegistrationRow.version).where(
                    RegistrationRow.id.in_(chunk)
                )
            )
        )
    if any(stored.get(i) != version for i, version in prepared.versions.items()):
        raise _Moved


_REGISTRATIONS = cast(Table, RegistrationRow.__table__)
_UPDATE_REGISTRATION = (
    update(_REGISTRATIONS)
    .where(
        _REGISTRATIONS.c.id == bindparam("b_id"),
        _REGISTRATIONS.c.version == bindparam("b_version"),
    )
    .values(version=_REGISTRATIONS.c.version + 1)
)
_JURISDICTIONS = cast(Table, RegistrationJurisdictionRow.__table__)
_DECISIONS = cast(Table, DecisionRow.__table__)


def _write(
    uow: UnitOfWork,
    register: Register,
    prepared: _Prepared,
    filename: str,
    rows: IO[bytes],
    audit: IO[bytes],
) -> None:
    session = uow.session
    if session.get_bind().dialect.name == "sqlite":
        audit_chain.lock_chain(session)  # the write lock first: nobody commits in between
    _check_unchanged(session, prepared)
    plan = prepared.plan
    stored_organisations, stored_providers = _stored_rows(
        session, sorted(prepared.organisations.keys() | prepared.providers_by_organisation.keys())
    )
    for organisation in prepared.organisations.values():
        if organisation.id in plan.organisations.unchanged:
            continue
        values = organisation_values(organisation)
        _, before = _upsert(session, OrganisationRow, organisation.id, values, stored_organisations)
        uow.audit(
            "import",
            "organisation",
            organisation.id,
            organisation_id=organisation.id,
            before=before,
            after=jsonable(values),
        )
    unchanged_providers = set(plan.providers.unchanged)
    for organisation_id, providers in prepared.providers_by_organisation.items():
        for provider in providers:
            if f"{organisation_id}/{provider.id}" in unchanged_providers:
                continue
            values = provider_values(provider, organisation_id)
            _, before = _upsert(
                session, ProviderRow, (organisation_id, provider.id), values, stored_providers
            )
            uow.audit(
                "import",
                "provider",
                provider.id,
                organisation_id=organisation_id,
                before=before,
                after=jsonable(values),
            )
    session.flush()

    counts_rows = session.get_bind().dialect.supports_sane_multi_rowcount
    postgresql = session.get_bind().dialect.name == "postgresql"
    for new, changed, jurisdictions, decisions in _unspooled(rows, prepared.batches):
        insert_rows(session, _REGISTRATIONS, new)
        if changed:
            result = session.execute(_UPDATE_REGISTRATION, changed)
            if counts_rows and result.rowcount != len(changed):  # type: ignore[attr-defined]
                raise _Moved
        replaced = [registration_id for registration_id, _, replace in jurisdictions if replace]
        if replaced:
            session.execute(
                delete(_JURISDICTIONS).where(_JURISDICTIONS.c.registration_id.in_(replaced))
            )
        countries = [
            {"registration_id": registration_id, "country": country}
            for registration_id, chain, _ in jurisdictions
            for country in chain
        ]
        insert_rows(session, _JURISDICTIONS, countries)
        insert_rows(session, _DECISIONS, _decoded(decisions, postgresql))

    evaluator = RegisterEvaluator(session, register.policy, register.today())
    for registration in prepared.with_workflow:
        values = registration_values(registration)
        row, before = _upsert(session, RegistrationRow, registration.id, values)
        # the register's workflow objects own these fields; an import does not undo them
        if before is not None:
            changes = material_changes(before, jsonable(values))
            mark_renotification(uow, row.id, row.organisation_id, changes)
        apply_derived_fields(session, row)
        registration = registration_from_row(row)
        # flushes the row together with its outcome: one version step per import
        _count(plan, evaluator.apply(row, registration).verdict.value)
        uow.audit(
            "import",
            "registration",
            registration.id,
            organisation_id=registration.organisation,
            before=before,
            after=jsonable(registration),
        )
    _follow_changed_context(session, evaluator, plan)
    if prepared.evidence:
        declare(uow, list(prepared.evidence.values()), register.today(), PurePath(filename).name)
    # the audit chain last (its lock is the transaction's last); the registrations' records
    # come back from the spool a batch at a time
    uow.append_audit(_audit_entries(audit, prepared.batches))


def _follow_changed_context(
    session: Session, evaluator: RegisterEvaluator, plan: ImportPlan
) -> None:
    """The registrations this import did not write, of organisations whose facts or providers
    it changed: their verdicts depend on those, so they are evaluated again now, as ``db
    refresh`` would (outcome and decision record, no version step: the registration itself did
    not change)."""
    touched = set(plan.organisations.changed) | {
        key.split("/", 1)[0] for key in (*plan.providers.new, *plan.providers.changed)
    }
    if not touched:
        return
    written = {*plan.registrations.new, *plan.registrations.changed}
    session.flush()  # the organisations and providers as this import leaves them
    # the ids first: a first import of an organisation wrote all of its registrations itself
    ids = session.scalars(
        select(RegistrationRow.id).where(RegistrationRow.organisation_id.in_(sorted(touched)))
    )
    others = sorted(set(ids) - written)
    if others:
        evaluator.refresh_all(_existing_registrations(session, others).values())


def export_inventory(
    register: Register, actor: Actor, organisation: str | None = None
) -> Inventory:
    """The actor's part of the register as an inventory document (all its organisations)."""
    security_log.event(
        "export", user_id=actor.user_id, organisation=organisation, request_id=actor.request_id
    )
    with read_only(register.sessions, actor) as session:
        if organisation is not None and not actor.may_see(organisation):
            return Inventory()
        visible = [organisation] if organisation is not None else actor.visible
        organisations = [organisation_from_row(r) for r in repo.organisations(session, visible)]
        providers: dict[str, Provider] = {}
        for row in repo.providers(session, visible):
            providers.setdefault(row.id, provider_from_row(row))
        registrations = [registration_from_row(r) for r in repo.registrations_of(session, visible)]
        return Inventory(organisations, list(providers.values()), registrations)


# every format an export can be written in, with the media type it is sent as
EXPORT_MEDIA_TYPES = {
    "json": "application/json",
    "yaml": "application/yaml",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True, slots=True)
class ExportFile:
    """An export written to a temporary folder of its own, to be sent as ``download_name``;
    whoever sends it calls ``remove`` afterwards."""

    path: Path
    media_type: str
    download_name: str

    def remove(self) -> None:
        shutil.rmtree(self.path.parent, ignore_errors=True)


def export_file(
    register: Register, actor: Actor, organisation: str | None, file_format: str
) -> ExportFile:
    """``export_inventory`` written as a file in ``file_format`` (a key of EXPORT_MEDIA_TYPES),
    named after the organisation (or the register) and today."""
    inventory = export_inventory(register, actor, organisation)
    folder = tempfile.mkdtemp(prefix="cloudtoets-export-")
    try:
        path = Path(folder) / f"export.{file_format}"
        write_inventory(inventory, path)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    label = _UNSAFE_IN_NAME.sub("_", organisation or "register")
    name = f"cloudtoets-{label}-{register.today().isoformat()}.{file_format}"
    return ExportFile(path, EXPORT_MEDIA_TYPES[file_format], name)
