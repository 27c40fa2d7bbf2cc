"""Transition deadlines for existing use (policy.md, "Transition" and "Verdict")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cloudtoets.domain.model import Registration
from cloudtoets.domain.vocabulary import Classification, KeyCustody, ServiceFunction, Verdict
from cloudtoets.engine.evaluate import evaluate
from cloudtoets.policy.loader import load_policy

from .builders import (
    ADOPTED,
    AS_OF,
    BEFORE_ADOPTION,
    EXIT_PLAN_END,
    TRANSITION_END,
    context,
    decide,
    finding,
    material_registration,
    registration,
    rules_fired,
)

ENCRYPTION = "cb2026.4.encryption"
EXIT_PLAN_RULES = ("cb2026.3.2.exit-plan", "cb2026.3.2.emergency-plan", "cb2026.3.2.data-exit")
LONG_CONTRACT_END = dt.date(2032, 1, 1)
LIFECYCLE_MOMENT = dt.date(2031, 6, 30)


def unencrypted(**overrides: Any) -> Registration:
    """Existing use with one hard finding on a 4-year rule (encryption)."""
    values: dict[str, Any] = {"encrypted_at_rest": False, "in_use_since": BEFORE_ADOPTION}
    values.update(overrides)
    return registration(**values)


def encryption_deadline(reg: Registration, as_of: dt.date = AS_OF) -> dt.date | None:
    return finding(decide(reg, as_of=as_of), ENCRYPTION).deadline


# --- existing versus new use -----------------------------------------------------------------


def test_existing_use_gets_the_default_deadline_of_adoption_plus_four_years() -> None:
    decision = decide(unencrypted())

    encryption = finding(decision, ENCRYPTION)
    assert encryption.deadline == TRANSITION_END == dt.date(2030, 7, 3)
    assert decision.verdict is Verdict.TRANSITION
    assert decision.deadline == TRANSITION_END
    assert "overgangstermijn tot 3 juli 2030" in encryption.message


@pytest.mark.parametrize(
    "in_use_since", [ADOPTED, dt.date(2026, 7, 4)], ids=["on adoption", "after"]
)
def test_new_use_gets_no_transition(in_use_since: dt.date | None) -> None:
    decision = decide(unencrypted(in_use_since=in_use_since))

    assert finding(decision, ENCRYPTION).deadline is None
    assert decision.verdict is Verdict.NOT_ALLOWED
    assert decision.deadline is None


def test_unknown_start_of_use_is_at_best_existing_and_at_worst_new() -> None:
    decision = decide(unencrypted(in_use_since=None))

    assert decision.existing_use is None
    assert (decision.best, decision.worst) == (Verdict.TRANSITION, Verdict.NOT_ALLOWED)
    assert decision.verdict is Verdict.INCOMPLETE
    assert decision.deadline is None
    assert finding(decision, ENCRYPTION).deadline == TRANSITION_END  # the best case
    assert finding(decision, ENCRYPTION).certain
    assert [(q.field, q.rules) for q in decision.questions] == [("in_use_since", (ENCRYPTION,))]


def test_contract_and_lifecycle_give_no_transition_to_new_use() -> None:
    reg = unencrypted(
        in_use_since=ADOPTED,
        contract_start=dt.date(2025, 1, 1),
        contract_end=LONG_CONTRACT_END,
        lifecycle_moment=LIFECYCLE_MOMENT,
        lifecycle_justification="vervanging gepland",
    )

    decision = decide(reg)

    assert finding(decision, ENCRYPTION).deadline is None
    assert decision.verdict is Verdict.NOT_ALLOWED


# --- extensions: existing contract and lifecycle moment --------------------------------------


def test_existing_longer_contract_extends_the_deadline_to_its_end() -> None:
    reg = unencrypted(contract_start=dt.date(2025, 1, 1), contract_end=LONG_CONTRACT_END)

    decision = decide(reg)

    assert finding(decision, ENCRYPTION).deadline == LONG_CONTRACT_END
    assert decision.deadline == LONG_CONTRACT_END


@pytest.mark.parametrize(
    "contract_start",
    [ADOPTED, dt.date(2026, 9, 1), None],
    ids=["started on adoption", "started after adoption", "start unknown"],
)
def test_contract_not_started_before_adoption_does_not_extend(
    contract_start: dt.date | None,
) -> None:
    reg = unencrypted(contract_start=contract_start, contract_end=LONG_CONTRACT_END)

    assert encryption_deadline(reg) == TRANSITION_END


def test_contract_ending_before_the_default_deadline_does_not_shorten_it() -> None:
    reg = unencrypted(contract_start=dt.date(2024, 1, 1), contract_end=dt.date(2028, 12, 31))

    assert encryption_deadline(reg) == TRANSITION_END


def test_justified_lifecycle_moment_extends_the_deadline() -> None:
    reg = unencrypted(
        lifecycle_moment=LIFECYCLE_MOMENT,
        lifecycle_justification="Migratie voor de vervanging is te duur en te riskant",
    )

    assert encryption_deadline(reg) == LIFECYCLE_MOMENT


@pytest.mark.parametrize("text", ["", "   ", "\t\n"], ids=["empty", "spaces", "tab-newline"])
def test_lifecycle_moment_without_justification_does_not_extend(text: str) -> None:
    reg = unencrypted(lifecycle_moment=LIFECYCLE_MOMENT, lifecycle_justification=text)

    assert encryption_deadline(reg) == TRANSITION_END


def test_lifecycle_moment_before_the_default_deadline_does_not_shorten_it() -> None:
    reg = unencrypted(lifecycle_moment=dt.date(2028, 1, 1), lifecycle_justification="vervanging")

    assert encryption_deadline(reg) == TRANSITION_END


@pytest.mark.parametrize(
    ("contract_end", "lifecycle_moment", "expected"),
    [
        (LONG_CONTRACT_END, LIFECYCLE_MOMENT, LONG_CONTRACT_END),
        (LONG_CONTRACT_END, dt.date(2033, 3, 1), dt.date(2033, 3, 1)),
    ],
    ids=["contract is later", "lifecycle is later"],
)
def test_the_latest_of_default_and_applicable_extensions_wins(
    contract_end: dt.date, lifecycle_moment: dt.date, expected: dt.date
) -> None:
    reg = unencrypted(
        contract_start=dt.date(2023, 1, 1),
        contract_end=contract_end,
        lifecycle_moment=lifecycle_moment,
        lifecycle_justification="vervanging gepland",
    )

    assert encryption_deadline(reg) == expected


def test_extensions_apply_to_advised_against_rules_with_a_four_year_period() -> None:
    reg = registration(
        functions=[ServiceFunction.EMAIL],
        in_use_since=dt.date(2019, 5, 1),
        contract_start=dt.date(2025, 1, 1),
        contract_end=LONG_CONTRACT_END,
    )

    assert finding(decide(reg), "cb2026.4.5.email").deadline == LONG_CONTRACT_END


# --- 12-month exit-plan rules ----------------------------------------------------------------


def test_exit_plan_rules_get_twelve_months_and_are_not_extended_by_contract_or_lifecycle() -> None:
    reg = material_registration(
        exit_plan=None,
        notification=None,
        in_use_since=BEFORE_ADOPTION,
        contract_start=dt.date(2024, 1, 1),
        contract_end=LONG_CONTRACT_END,
        lifecycle_moment=dt.date(2033, 3, 1),
        lifecycle_justification="vervanging gepland",
    )

    decision = decide(reg)

    for rule in EXIT_PLAN_RULES:
        assert finding(decision, rule).deadline == EXIT_PLAN_END == dt.date(2027, 7, 3)
    assert finding(decision, "cb2026.3.3.notification").deadline == dt.date(2033, 3, 1)
    assert decision.verdict is Verdict.TRANSITION
    assert decision.deadline == EXIT_PLAN_END


# --- rules without transition ----------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [{"classification": Classification.STG_GEHEIM}, {"tbb_level": 3}],
    ids=["stg-geheim", "tbb 3"],
)
def test_classified_information_is_not_allowed_even_for_existing_use(
    overrides: dict[str, Any],
) -> None:
    reg = registration(
        in_use_since=dt.date(2018, 1, 1),
        abro_declaration=True,
        contract_start=dt.date(2017, 1, 1),
        contract_end=LONG_CONTRACT_END,
        **overrides,
    )

    decision = decide(reg)

    classified = finding(decision, "cb2026.5.2.classified")
    assert classified.deadline is None
    assert "geen overgangstermijn" in classified.message
    assert decision.verdict is Verdict.NOT_ALLOWED
    assert decision.deadline is None


def test_recommended_rules_have_no_deadline_for_existing_use() -> None:
    reg = registration(key_custody=KeyCustody.PROVIDER, in_use_since=BEFORE_ADOPTION)

    decision = decide(reg)

    assert finding(decision, "cb2026.4.key-custody").deadline is None
    assert decision.verdict is Verdict.ALLOWED_WITH_CONDITIONS


# --- the boundary day ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "verdict"),
    [
        (TRANSITION_END - dt.timedelta(days=1), Verdict.TRANSITION),
        (TRANSITION_END, Verdict.NOT_ALLOWED),
        (TRANSITION_END + dt.timedelta(days=1), Verdict.NOT_ALLOWED),
    ],
    ids=["day before", "deadline day", "day after"],
)
def test_a_deadline_on_the_as_of_date_has_passed(as_of: dt.date, verdict: Verdict) -> None:
    decision = decide(unencrypted(), as_of=as_of)

    assert decision.verdict is verdict
    assert decision.deadline == (TRANSITION_END if verdict is Verdict.TRANSITION else None)
    assert finding(decision, ENCRYPTION).deadline == TRANSITION_END


def test_passed_deadline_message_says_the_transition_is_over() -> None:
    decision = decide(unencrypted(), as_of=TRANSITION_END)

    assert "voorbij sinds 3 juli 2030" in finding(decision, ENCRYPTION).message


@pytest.mark.parametrize(
    ("as_of", "verdict"),
    [
        (EXIT_PLAN_END - dt.timedelta(days=1), Verdict.TRANSITION),
        (EXIT_PLAN_END, Verdict.NOT_ALLOWED),
    ],
    ids=["day before", "deadline day"],
)
def test_exit_plan_boundary_day(as_of: dt.date, verdict: Verdict) -> None:
    reg = material_registration(exit_plan=None, in_use_since=BEFORE_ADOPTION)

    assert decide(reg, as_of=as_of).verdict is verdict


# --- the registration's deadline -------------------------------------------------------------


def test_registration_deadline_is_the_earliest_hard_deadline() -> None:
    reg = material_registration(
        exit_plan=None,
        encrypted_at_rest=False,
        in_use_since=BEFORE_ADOPTION,
        contract_start=dt.date(2024, 1, 1),
        contract_end=LONG_CONTRACT_END,
    )

    decision = decide(reg)

    assert finding(decision, ENCRYPTION).deadline == LONG_CONTRACT_END
    assert decision.verdict is Verdict.TRANSITION
    assert decision.deadline == EXIT_PLAN_END


def test_one_passed_hard_deadline_makes_the_registration_not_allowed() -> None:
    reg = material_registration(
        exit_plan=None, encrypted_at_rest=False, in_use_since=BEFORE_ADOPTION
    )

    decision = decide(reg, as_of=dt.date(2028, 1, 1))

    assert finding(decision, ENCRYPTION).deadline == TRANSITION_END
    assert decision.verdict is Verdict.NOT_ALLOWED
    assert decision.deadline is None


# --- advised-against deadlines are informative -----------------------------------------------


@pytest.mark.parametrize(
    "as_of",
    [AS_OF, TRANSITION_END, dt.date(2031, 1, 1)],
    ids=["before deadline", "deadline day", "after deadline"],
)
def test_advised_against_stays_advised_against_before_and_after_its_deadline(
    as_of: dt.date,
) -> None:
    reg = registration(functions=[ServiceFunction.EMAIL], in_use_since=dt.date(2020, 1, 1))

    decision = decide(reg, as_of=as_of)

    email = finding(decision, "cb2026.4.5.email")
    assert email.deadline == TRANSITION_END
    assert decision.verdict is Verdict.ADVISED_AGAINST
    assert decision.deadline is None
    assert "3 juli 2030" in email.message
    assert "'afgeraden'" in email.message


def test_advised_against_deadline_does_not_make_the_registration_transition() -> None:
    reg = registration(
        functions=[ServiceFunction.DOCUMENT_MANAGEMENT], in_use_since=BEFORE_ADOPTION
    )

    decision = decide(reg)

    assert finding(decision, "cb2026.4.5.documents").deadline == TRANSITION_END
    assert decision.verdict is Verdict.ADVISED_AGAINST


# --- derived facts in a variant's own rule ---------------------------------------------------


def test_a_variant_rule_can_read_existing_use_and_the_effective_tbb_level(tmp_path: Path) -> None:
    """The compiler folds a fact no rule reads into the test that uses it; a rule that reads
    it gets the fact itself."""
    path = tmp_path / "variant.yaml"
    path.write_text(
        "id: test-facts\nextends: rijksbreed-cloudbeleid-2026\ntitle: Test\nversion: '1'\n"
        "status: concept\nsource: test\nrules:\n"
        "  - id: test.existing-classified\n"
        "    section: '4'\n"
        "    basis: summary\n"
        "    severity: recommended\n"
        "    transition: none\n"
        "    finding_when:\n"
        "      all:\n"
        "        - {fact: existing_use, op: is-true}\n"
        "        - {fact: effective_tbb_level, op: le, value: 4}\n"
        "    text: {title: Oud en gerubriceerd, problem: Bestaand gebruik met BBN., action: Kijk.}\n",
        encoding="utf-8",
    )
    variant = load_policy(path)
    rule = "test.existing-classified"

    def fired(reg: Registration) -> bool:
        decision = evaluate(reg, context(None), variant, AS_OF)
        return rule in rules_fired(decision)

    classified = {"classification": Classification.DEP_VERTROUWELIJK}
    assert fired(registration(in_use_since=BEFORE_ADOPTION, **classified))
    assert not fired(registration(in_use_since=ADOPTED, **classified))
    assert not fired(registration(in_use_since=BEFORE_ADOPTION))
