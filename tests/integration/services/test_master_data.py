"""An organisation's master data (type, critical/essential entity, vital provider) decides which
rules apply: an editor's import cannot change it, an admin or CIO Rijk can."""

from __future__ import annotations

import orjson

from cloudtoets.services import registrations as registration_service
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import, preview_import
from cloudtoets.store.tables import OrganisationRow

from .conftest import CENTRAL, registration

EDITOR = Actor("bewerker-bzk", frozenset({"bzk"}), frozenset({"editor"}))
CIO_EDITOR = Actor("cio-rijk-bewerker", None, frozenset({"cio-rijk", "editor"}))
ADMIN_EDITOR = Actor("beheerder-bewerker", None, frozenset({"admin", "editor"}))


def _file(**organisation: object) -> bytes:
    return orjson.dumps(
        {
            "organisations": [{"id": "bzk", "type": "ministry", **organisation}],
            "registrations": [{"id": "bzk-m365", "organisation": "bzk", "name": "Kantoor"}],
        }
    )


def _stored(register: Register) -> tuple[str, bool | None]:
    with register.sessions() as session:
        row = session.get(OrganisationRow, "bzk")
        assert row is not None
        return row.type, row.critical_entity


def test_an_editors_import_cannot_change_master_data(register: Register) -> None:
    registration_service.create_registration(register, CENTRAL, registration())
    data = _file(type="municipality", critical_entity=True)
    preview = preview_import(register, EDITOR, "bzk.json", data)
    assert preview.ok
    assert [str(n) for n in preview.notes] == [
        "rij 1: het type van organisatie bzk kan alleen een beheerder of CIO Rijk wijzigen; "
        "deze rij verandert niets",
        "rij 1: of het een kritieke entiteit is van organisatie bzk kan alleen een beheerder of "
        "CIO Rijk wijzigen; deze rij verandert niets",
    ]
    assert preview.organisations.unchanged == ["bzk"]
    plan = commit_import(register, EDITOR, "bzk.json", data)
    assert len(plan.notes) == 2
    assert _stored(register) == ("ministry", False)
    # the registration is still judged as a ministry's: in mandatory scope
    stored = registration_service.get_registration(register, CENTRAL, "bzk-m365")
    assert stored.registration.name == "Kantoor"  # the rest of the import did happen


def test_an_admin_or_cio_rijk_may_change_master_data(register: Register) -> None:
    plan = commit_import(register, CIO_EDITOR, "bzk.json", _file(critical_entity=True))
    assert plan.notes == []
    assert _stored(register) == ("ministry", True)
    plan = commit_import(register, ADMIN_EDITOR, "bzk.json", _file(type="municipality"))
    assert plan.notes == []
    assert _stored(register)[0] == "municipality"


def test_the_catalogue_is_the_default_for_an_organisation_not_yet_in_the_register(
    register: Register,
) -> None:
    # fin is a ministry in the built-in catalogue of Rijk organisations
    editor = Actor("bewerker-fin", frozenset({"fin"}), frozenset({"editor"}))
    data = orjson.dumps(
        {
            "organisations": [{"id": "fin", "type": "municipality"}],
            "registrations": [{"id": "fin-x", "organisation": "fin"}],
        }
    )
    plan = commit_import(register, editor, "fin.json", data)
    assert [n.field for n in plan.notes] == ["type"]
    with register.sessions() as session:
        row = session.get(OrganisationRow, "fin")
        assert row is not None and row.type == "ministry"
