"""Importing inventories into the register: preview, all or nothing, and export again."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import orjson
import pytest
from sqlalchemy import func, select

from cloudtoets.domain.registration_query import RegistrationQuery
from cloudtoets.io.write import write_inventory
from cloudtoets.problems import InputError
from cloudtoets.services import registrations
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.imports import commit_import, export_inventory, preview_import
from cloudtoets.services.providers import own_provider_views
from cloudtoets.store.tables import AuditRow, DecisionRow, RegistrationRow

from .conftest import CENTRAL

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ministerie-bzk.yaml"


def rows(register: Register) -> int:
    with register.sessions() as session:
        return session.scalar(select(func.count()).select_from(RegistrationRow)) or 0


def test_preview_says_what_would_change_and_stores_nothing(register: Register) -> None:
    plan = preview_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    assert plan.ok
    assert len(plan.registrations.new) == 32
    assert sum(plan.verdicts.values()) == 32
    assert set(plan.verdicts) == {
        "not-allowed",
        "transition",
        "advised-against",
        "allowed-with-conditions",
        "allowed",
        "incomplete",  # bzk-websites-leaseweb: deployment and open data unknown
    }
    assert rows(register) == 0


def test_commit_stores_everything_and_a_second_import_changes_nothing(register: Register) -> None:
    plan = commit_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    assert len(plan.registrations.new) == 32
    assert rows(register) == 32
    again = preview_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    assert again.ok and len(again.registrations.unchanged) == 32 and not again.registrations.new
    page = registrations.list_registrations(register, CENTRAL, RegistrationQuery(page_size=100))
    assert {item.verdict for item in page.items} == set(plan.verdicts)


def test_one_bad_row_stores_nothing(register: Register) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "deployment: public", "deployment: publiek", 1
    )
    with pytest.raises(InputError) as caught:
        commit_import(register, CENTRAL, "bzk.yaml", text.encode())
    assert any("publiek" in p.message for p in caught.value.problems)
    assert rows(register) == 0
    with register.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AuditRow)) == 0


def test_an_organisation_cannot_import_for_another(register: Register) -> None:
    uwv = Actor.local("uwv", "uwv")
    plan = preview_import(register, uwv, "bzk.yaml", EXAMPLE.read_bytes())
    assert not plan.ok
    assert any("bzk" in p.where for p in plan.problems)
    with pytest.raises(InputError):
        commit_import(register, uwv, "bzk.yaml", EXAMPLE.read_bytes())
    assert rows(register) == 0


def test_oversized_and_unknown_uploads_are_refused(register: Register) -> None:
    register.settings.max_upload_bytes = 100
    plan = preview_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    assert not plan.ok and "groter dan" in plan.problems[0].message
    plan = preview_import(register, CENTRAL, "bzk.exe", b"MZ")
    assert not plan.ok and "bestandsformaat" in plan.problems[0].message


def test_export_reads_back_as_the_same_register(register: Register, tmp_path: Path) -> None:
    commit_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    exported = export_inventory(register, CENTRAL)
    assert len(exported.registrations) == 32
    target = tmp_path / "export.xlsx"
    write_inventory(exported, target)
    plan = preview_import(register, CENTRAL, "export.xlsx", target.read_bytes())
    assert plan.ok, plan.problems
    assert len(plan.registrations.unchanged) == 32


def test_export_only_holds_what_the_actor_may_see(register: Register) -> None:
    commit_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    uwv = Actor.local("uwv", "uwv")
    assert export_inventory(register, uwv).registrations == []
    assert export_inventory(register, uwv, organisation="bzk").registrations == []


NESTED_SUPPLIERS = """
organisations:
  - {id: bzk, type: ministry}
  - {id: uwv, type: zbo}
providers:
  - {id: moeder-holding, country: NL}
  - {id: dochter-cloud, country: NL, parent: moeder-holding}
  - {id: kleindochter-saas, country: DE, parent: dochter-cloud}
registrations:
  - {id: bzk-saas, organisation: bzk, deployment: public, provider: kleindochter-saas}
  - {id: uwv-cloud, organisation: uwv, deployment: public, provider: dochter-cloud}
"""


def test_a_supplier_whose_parent_is_in_the_same_document_imports_whole_chains(
    register: Register,
) -> None:
    """bzk names only the grandchild: the child and the parent are stored for bzk as well."""
    plan = commit_import(register, CENTRAL, "keten.yaml", NESTED_SUPPLIERS.encode())
    assert sorted(plan.providers.new) == [
        "bzk/dochter-cloud",
        "bzk/kleindochter-saas",
        "bzk/moeder-holding",
        "uwv/dochter-cloud",
        "uwv/moeder-holding",
    ]
    stored = registrations.get_registration(register, CENTRAL, "bzk-saas")
    assert set(stored.decision.jurisdictions) == {"DE", "NL"}


def test_ids_are_looked_up_in_parts(register: Register, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL takes at most 65,535 parameters in one statement; the lookup comes in parts
    (made small here so 32 registrations need 11 of them) and still finds every row."""
    from cloudtoets.services import imports

    commit_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    monkeypatch.setattr(imports, "LOOKUP_CHUNK", 3)
    plan = preview_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    assert plan.ok and len(plan.registrations.unchanged) == 32 and not plan.registrations.new


def test_the_upload_limit_is_for_uploads_not_for_the_operators_own_file(
    register: Register,
) -> None:
    register.settings.max_upload_bytes = 100
    with pytest.raises(InputError):
        commit_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    plan = commit_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes(), uploaded=False)
    assert len(plan.registrations.new) == 32 and rows(register) == 32


RUN_FROM_CHINA = """
organisations:
  - {id: bzk, type: ministry, critical_entity: false, essential_entity: false, vital_provider: false}
providers:
  - {id: kaaiman-holding, country: KY, headquarters: cn}
  - {id: nl-dochter, country: NL, parent: kaaiman-holding, headquarters: NL}
registrations:
  - id: bzk-saas
    organisation: bzk
    deployment: public
    provider: nl-dochter
    storage_countries: [NL]
    processing_countries: [NL]
    encrypted_at_rest: true
    encrypted_in_transit: true
    key_custody: customer-held
    subprocessors: []
    functions: []
    open_data: false
    classification: none
    tbb_level: none
    personal_data: none
    large_scale_personal_data: false
    pets: []
    core_task: false
    business_critical: false
    key_register: none
    holds_source_data: false
    in_use_since: 2026-08-01
"""


@pytest.mark.parametrize("suffix", ["xlsx", "yaml", "json"])
def test_a_headquarters_is_stored_evaluated_and_exported(
    register: Register, tmp_path: Path, suffix: str
) -> None:
    """A parent registered in the Cayman Islands and run from China: stored with the provider,
    in the chain of the stored decision, and back in every export."""
    commit_import(register, CENTRAL, "keten.yaml", RUN_FROM_CHINA.encode())

    (own,) = [p for p in own_provider_views(register, CENTRAL) if p.provider.id == "nl-dochter"]
    assert [(p.country, p.headquarters) for p in own.chain] == [("NL", None), ("KY", "CN")]
    stored = registrations.get_registration(register, CENTRAL, "bzk-saas")
    assert stored.decision.jurisdictions == ("CN", "KY", "NL")
    assert stored.decision.verdict == "not-allowed"
    (finding,) = stored.decision.findings
    assert (finding.rule, finding.section) == ("cb2026.c2000.offensive-cyber", "C2000")
    assert finding.message.endswith("(Cloudbeleid 2022, C2000-criteria)")

    exported = export_inventory(register, CENTRAL)
    by_id = {p.id: p for p in exported.providers}
    assert by_id["kaaiman-holding"].headquarters == "CN"
    assert by_id["nl-dochter"].headquarters is None
    target = tmp_path / f"export.{suffix}"
    write_inventory(exported, target)
    again = preview_import(register, CENTRAL, f"export.{suffix}", target.read_bytes())
    assert again.ok, again.problems
    assert len(again.registrations.unchanged) == 1 and not again.providers.changed

    moved = RUN_FROM_CHINA.replace("headquarters: cn", "headquarters: SG")
    plan = commit_import(register, CENTRAL, "keten.yaml", moved.encode())
    assert plan.providers.changed == ["bzk/kaaiman-holding"]
    stored = registrations.get_registration(register, CENTRAL, "bzk-saas")
    assert stored.decision.jurisdictions == ("KY", "NL", "SG")
    assert stored.decision.verdict == "allowed"


def test_writers_go_on_while_an_import_checks_and_the_import_then_starts_again(
    register: Register,
) -> None:
    """An import checks, plans and evaluates before its write transaction: a writer meanwhile
    is not held up (on SQLite it would wait for the write lock), and what it changed is seen:
    the import starts again on the register as it is now, so no update is lost unrecorded."""
    commit_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    target = "bzk-m365-mail"
    changed_meanwhile: list[int] = []

    def progress(done: int, total: int) -> None:
        if changed_meanwhile:
            return  # only during the first attempt
        current = registrations.get_registration(register, CENTRAL, target)
        renamed = dataclasses.replace(current.registration, name="Gewijzigd tijdens de import")
        saved = registrations.update_registration(
            register, CENTRAL, target, renamed, current.version
        )
        changed_meanwhile.append(saved.version)

    # the file changes every registration, so each is written again
    text = EXAMPLE.read_text(encoding="utf-8").replace("    name: ", "    name: Nieuw ")
    plan = commit_import(register, CENTRAL, "bzk.yaml", text.encode(), progress=progress)
    assert changed_meanwhile, "the import called its progress before writing"
    assert target in plan.registrations.changed
    after = registrations.get_registration(register, CENTRAL, target)
    assert after.registration.name.startswith("Nieuw ")  # the file, written after the writer
    assert after.version == changed_meanwhile[0] + 1
    with register.sessions() as session:
        actions = session.scalars(
            select(AuditRow.action)
            .where(AuditRow.object_type == "registration", AuditRow.object_id == target)
            .order_by(AuditRow.id)
        ).all()
    assert actions == ["import", "update", "import"]


def test_an_organisation_changed_by_an_import_has_its_verdicts_evaluated_again(
    register: Register,
) -> None:
    """Its registrations did not change, but the facts about their organisation did: their
    stored verdicts (list, monitoring) follow at once, not after the next db refresh."""
    commit_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    text = EXAMPLE.read_text(encoding="utf-8")
    essential = text.replace(
        "    type: ministry\n    critical_entity: false\n    essential_entity: false",
        "    type: ministry\n    critical_entity: false\n    essential_entity: true",
        1,
    )
    assert essential != text
    plan = commit_import(register, CENTRAL, "bzk.yaml", essential.encode())
    assert plan.organisations.changed == ["bzk"] and not plan.registrations.changed
    page = registrations.list_registrations(register, CENTRAL, RegistrationQuery(page_size=100))
    stored = {item.id: item.verdict for item in page.items}
    fresh = {
        item.id: registrations.get_registration(register, CENTRAL, item.id).decision.verdict.value
        for item in page.items
    }
    assert stored == fresh
    with register.sessions() as session:
        inputs = session.scalars(
            select(DecisionRow.input)
            .where(DecisionRow.registration_id == "bzk-m365-mail")
            .order_by(DecisionRow.id.desc())
        ).first()
    assert inputs is not None and inputs["organisations"][0]["essential_entity"] is True


def test_an_imported_decision_record_holds_the_input_and_result_its_hash_covers(
    register: Register,
) -> None:
    """The import writes its decision records aside as JSON text: they come back as the same
    JSON values (objects, not text), the ones the registration's decision hash was made of."""
    commit_import(register, CENTRAL, "bzk.yaml", EXAMPLE.read_bytes())
    with register.sessions() as session:
        hashes = {
            row.id: row.decision_hash
            for row in session.execute(select(RegistrationRow.id, RegistrationRow.decision_hash))
        }
        records = session.execute(
            select(
                DecisionRow.registration_id,
                DecisionRow.policy_revision,
                DecisionRow.input,
                DecisionRow.result,
            )
        ).all()
    assert len(records) == len(hashes) == 32
    for registration_id, revision, snapshot, result in records:
        assert snapshot["registrations"][0]["id"] == registration_id
        assert result["registration"] == registration_id
        text = orjson.dumps([revision, snapshot, result], option=orjson.OPT_SORT_KEYS)
        assert hashlib.sha256(text).hexdigest() == hashes[registration_id]
