"""The example inventory examples/ministerie-bzk.yaml gives the verdicts it was designed for.

Every registration in the example was built to show one case of the Rijksbreed cloudbeleid 2026
(see examples/README.md); these tests pin that design at the as-of date 2026-11-29, through the
Python API and through the installed `cloudtoets` command.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from cloudtoets.domain.decision import Decision, Finding
from cloudtoets.domain.vocabulary import Verdict
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io.read import read_inventory
from cloudtoets.policy.loader import load_policy

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ministerie-bzk.yaml"
AS_OF = dt.date(2026, 11, 29)
CLI = Path(sys.executable).with_name("cloudtoets")


@pytest.fixture(scope="module")
def decisions() -> dict[str, Decision]:
    checked = read_inventory(EXAMPLE)
    context = EvaluationContext(checked.organisations, checked.providers)
    result = evaluate_registrations(
        checked.inventory.registrations, context, load_policy("rijksbreed-cloudbeleid-2026"), AS_OF
    )
    return {d.registration: d for d in result}


def _rules(decision: Decision) -> set[str]:
    return {f.rule for f in decision.findings}


def _finding(decision: Decision, rule: str) -> Finding:
    return next(f for f in decision.findings if f.rule == rule)


def test_every_verdict_occurs(decisions: dict[str, Decision]) -> None:
    counts = Counter(d.verdict for d in decisions.values())
    assert set(counts) == set(Verdict)
    # A realistic mix: several registrations of each verdict, and one with gaps.
    assert counts.pop(Verdict.INCOMPLETE) == 1
    assert all(n >= 3 for n in counts.values()), counts


def test_gaps_give_a_verdict_range_and_questions(decisions: dict[str, Decision]) -> None:
    websites = decisions["bzk-websites-leaseweb"]
    assert (websites.verdict, websites.best, websites.worst) == (
        Verdict.INCOMPLETE,
        Verdict.ALLOWED,
        Verdict.TRANSITION,
    )
    assert [q.field for q in websites.questions] == ["deployment", "open_data"]
    assert websites.public_cloud is None
    assert not _finding(websites, "cb2026.4.encryption").certain
    # An unknown that cannot change the verdict: certain verdict, one possible finding, a question.
    jira = decisions["logius-jira-confluence"]
    assert jira.verdict is Verdict.TRANSITION and not jira.incomplete
    assert not _finding(jira, "cb2026.4.encryption").certain
    assert _finding(jira, "cb2026.4.location").certain
    assert [q.field for q in jira.questions] == ["encrypted_at_rest"]


def test_everything_else_is_stated(decisions: dict[str, Decision]) -> None:
    """The example says what it knows: only the two registrations with gaps have questions."""
    with_questions = {d.registration for d in decisions.values() if d.questions}
    assert with_questions == {"bzk-websites-leaseweb", "logius-jira-confluence"}


def test_every_registration_is_mandatory_scope(decisions: dict[str, Decision]) -> None:
    # A ministry and its agencies: the policy is mandatory for all of them.
    assert {d.scope for d in decisions.values()} == {"mandatory"}


# registration -> (verdict, rule ids that must be among its findings, registration deadline)
DESIGNED: dict[str, tuple[Verdict, set[str], dt.date | None]] = {
    # not-allowed
    "bzk-teams-crisisdossier": (Verdict.NOT_ALLOWED, {"cb2026.5.2.classified"}, None),
    "bzk-ai-pilot-azure-openai": (Verdict.NOT_ALLOWED, {"cb2026.4.location"}, None),
    "bzk-verkiezingen-dashboard": (Verdict.NOT_ALLOWED, {"cb2026.5.2.abro"}, None),
    "bzk-oracle-financien": (
        Verdict.NOT_ALLOWED,
        {"cb2026.3.2.exit-plan", "cb2026.3.2.emergency-plan", "cb2026.3.2.data-exit"},
        None,
    ),
    "ssc-ict-backup-aws": (Verdict.NOT_ALLOWED, {"cb2026.3.3.notification"}, None),
    # transition
    "bzk-bigquery-analyse": (Verdict.TRANSITION, {"cb2026.4.location"}, dt.date(2030, 7, 3)),
    "bzk-dynamics-woo": (
        Verdict.TRANSITION,
        {"cb2026.4.6.pets", "cb2026.4.6.special-data"},
        dt.date(2030, 7, 3),
    ),
    # A lifecycle moment without justification does not extend the deadline.
    "bzk-zoom-webinars": (Verdict.TRANSITION, {"cb2026.4.location"}, dt.date(2030, 7, 3)),
    # An existing contract that runs longer than the default deadline is respected.
    "ssc-ict-servicenow": (Verdict.TRANSITION, {"cb2026.4.location"}, dt.date(2031, 6, 30)),
    # A justified lifecycle moment extends the deadline.
    "rvig-rni-azure": (Verdict.TRANSITION, {"cb2026.5.4.source-data"}, dt.date(2032, 1, 1)),
    # Exit plans have a 12-month transition; that is the earliest deadline.
    "ssc-ict-werkplekbeheer": (
        Verdict.TRANSITION,
        {"cb2026.3.2.exit-plan", "cb2026.3.1.jurisdiction-risk"},
        dt.date(2027, 7, 3),
    ),
    # advised-against
    "bzk-m365-samenwerking": (Verdict.ADVISED_AGAINST, {"cb2026.4.5.documents"}, None),
    "bzk-zivver": (Verdict.ADVISED_AGAINST, {"cb2026.4.5.email"}, None),
    "bzk-bleu-pilot": (
        Verdict.ADVISED_AGAINST,
        {"cb2026.4.5.email", "cb2026.4.5.documents"},
        None,
    ),
    "bzk-medewerkersonderzoek": (Verdict.ADVISED_AGAINST, {"cb2026.4.6.special-data"}, None),
    "logius-developer-portaal": (Verdict.ADVISED_AGAINST, {"cb2026.4.3.jurisdiction"}, None),
    # allowed-with-conditions
    "bzk-m365-mail": (Verdict.ALLOWED_WITH_CONDITIONS, {"cb2026.4.5.email"}, None),
    "logius-klantcontact": (Verdict.ALLOWED_WITH_CONDITIONS, {"cb2026.4.3.jurisdiction"}, None),
    "bzk-verzuim-youforce": (
        Verdict.ALLOWED_WITH_CONDITIONS,
        {"cb2026.4.6.special-data", "cb2026.3.3.deviation-reported"},
        None,
    ),
    "ssc-ict-topdesk": (Verdict.ALLOWED_WITH_CONDITIONS, {"cb2026.4.key-custody"}, None),
    "bzk-bekendmakingen-schuberg": (
        Verdict.ALLOWED_WITH_CONDITIONS,
        {"cb2026.3.2.exit-tested"},
        None,
    ),
    # allowed
    "bzk-gerubriceerd-odc": (Verdict.ALLOWED, set(), None),
    "bzk-wetgeving-stackit": (Verdict.ALLOWED, set(), None),
    "rvig-brp-bevraging": (Verdict.ALLOWED, set(), None),
    "rvig-brp-centraal": (Verdict.ALLOWED, set(), None),
    "logius-digid": (Verdict.ALLOWED, set(), None),
    "bzk-open-data-portaal": (Verdict.ALLOWED, set(), None),
    # incomplete: deployment and open data unknown (unknowns.md)
    "bzk-websites-leaseweb": (Verdict.INCOMPLETE, {"cb2026.4.encryption"}, None),
}


@pytest.mark.parametrize("registration", sorted(DESIGNED))
def test_designed_verdict(decisions: dict[str, Decision], registration: str) -> None:
    verdict, rules, deadline = DESIGNED[registration]
    decision = decisions[registration]
    assert decision.verdict is verdict
    assert rules <= _rules(decision)
    if verdict is Verdict.ALLOWED:
        assert decision.findings == ()
    assert decision.deadline == deadline


def test_classified_in_public_cloud_has_no_transition(decisions: dict[str, Decision]) -> None:
    decision = decisions["bzk-teams-crisisdossier"]
    classified = _finding(decision, "cb2026.5.2.classified")
    assert classified.severity == "forbidden"
    assert classified.deadline is None
    # Existing use, so the ABRO finding does have a deadline; the classified one decides.
    assert _finding(decision, "cb2026.5.2.abro").deadline == dt.date(2030, 7, 3)


def test_justifications(decisions: dict[str, Decision]) -> None:
    # Complete e-mail justification with the three extra conditions, reported: justified.
    mail = decisions["bzk-m365-mail"]
    assert _finding(mail, "cb2026.4.5.email").justified
    assert "cb2026.3.3.deviation-reported" not in _rules(mail)
    # Documents justification without the minister's consent: not justified.
    assert not _finding(decisions["bzk-m365-samenwerking"], "cb2026.4.5.documents").justified
    # Justified but not reported to CIO Rijk: the recommendation is added.
    verzuim = decisions["bzk-verzuim-youforce"]
    assert _finding(verzuim, "cb2026.4.6.special-data").justified
    assert _finding(verzuim, "cb2026.3.3.deviation-reported").severity == "recommended"


def test_advised_against_deadline_is_informative(decisions: dict[str, Decision]) -> None:
    # Existing use: the advised-against finding carries a deadline, the verdict stays the same.
    zivver = decisions["bzk-zivver"]
    assert _finding(zivver, "cb2026.4.5.email").deadline == dt.date(2030, 7, 3)
    assert zivver.deadline is None
    # New use: no deadline at all.
    assert _finding(decisions["bzk-bleu-pilot"], "cb2026.4.5.email").deadline is None


def test_jurisdiction_chains(decisions: dict[str, Decision]) -> None:
    # Document-defined provider (visma-raet, NL) with catalogue parent visma (NO) -> hg (GB),
    # hosted on AWS (aws-emea, LU -> amazon, US) as sub-processor.
    assert decisions["bzk-verzuim-youforce"].jurisdictions == ("GB", "LU", "NL", "NO", "US")
    assert decisions["bzk-bleu-pilot"].jurisdictions == ("FR",)
    # Zivver (NL) is owned by Kiteworks (US) and hosts on AWS (its own sub-processor, LU -> US)
    assert decisions["bzk-zivver"].jurisdictions == ("LU", "NL", "US")
    # Government-run without provider: no chain.
    assert decisions["bzk-dms-odc"].jurisdictions == ()


def test_private_internal_is_material_but_unburdened(decisions: dict[str, Decision]) -> None:
    hr = decisions["bzk-p-direkt-hr"]
    assert hr.material
    assert hr.material_reasons == ("business_critical", "large_scale_personal_data")
    assert not hr.public_cloud and not hr.external_cloud
    assert hr.verdict is Verdict.ALLOWED


def test_cli_json() -> None:
    assert CLI.exists(), f"cloudtoets script not found next to {sys.executable}"
    completed = subprocess.run(
        [str(CLI), "check", str(EXAMPLE), "--as-of", "2026-11-29", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    # Mandatory registrations are not-allowed: exit status 1.
    assert completed.returncode == 1, completed.stderr
    document = json.loads(completed.stdout)
    n = len(read_inventory(EXAMPLE).inventory.registrations)
    assert document["as_of"] == "2026-11-29"
    assert document["policy"]["id"] == "rijksbreed-cloudbeleid-2026"
    assert document["summary"]["registrations"] == n == len(document["results"])
    by_verdict = document["summary"]["by_verdict"]
    assert set(by_verdict) == {v.value for v in Verdict}
    assert sum(by_verdict.values()) == n
    crisis = next(r for r in document["results"] if r["registration"] == "bzk-teams-crisisdossier")
    assert crisis["verdict"] == "not-allowed"
    assert "cb2026.5.2.classified" in [f["rule"] for f in crisis["findings"]]
