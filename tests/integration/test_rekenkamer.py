"""A register shaped like the Rekenkamer's (700 public, 477 private, 411 unknown deployment):
what is not known stays unknown from the file to the verdict (unknowns.md)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from cloudtoets.demo.rekenkamer import (
    PUBLIC,
    PUBLIC_MATERIAL,
    TOTAL,
    UNKNOWN_DEPLOYMENT,
    rekenkamer_register,
)
from cloudtoets.domain.decision import Decision
from cloudtoets.domain.model import Registration
from cloudtoets.domain.vocabulary import Deployment, Verdict
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io.validate import Checked, validate_document
from cloudtoets.policy.loader import load_policy

CLI = str(Path(sys.executable).with_name("cloudtoets"))
AS_OF = "2026-11-29"
POLICY = load_policy("rijksbreed-cloudbeleid-2026")


@pytest.fixture(scope="module")
def register() -> Checked:
    return validate_document(rekenkamer_register(), "rekenkamer")


def decide(checked: Checked, registrations: list[Registration]) -> list[Decision]:
    context = EvaluationContext(checked.organisations, checked.providers)
    return evaluate_registrations(registrations, context, POLICY, dt.date.fromisoformat(AS_OF))


def test_the_register_has_the_rekenkamers_totals(register: Checked) -> None:
    registrations = register.inventory.registrations
    deployments = Counter(r.deployment for r in registrations)

    assert len(registrations) == TOTAL == 1588
    assert deployments[Deployment.PUBLIC] == PUBLIC
    assert deployments[None] == UNKNOWN_DEPLOYMENT
    assert TOTAL - PUBLIC - UNKNOWN_DEPLOYMENT == 477
    public = [r for r in registrations if r.deployment is Deployment.PUBLIC]
    assert sum(1 for r in public if r.core_task) == PUBLIC_MATERIAL


def test_an_unknown_deployment_is_incomplete_whenever_the_deployment_matters(
    register: Checked,
) -> None:
    unknown = [r for r in register.inventory.registrations if r.deployment is None]
    decisions = decide(register, unknown)
    incomplete = 0
    for registration, decision in zip(unknown, decisions, strict=True):
        fillings = [
            dataclasses.replace(
                registration, deployment=deployment, provider=registration.provider or "kpn"
            )
            for deployment in Deployment
        ]
        verdicts = {d.verdict for d in decide(register, fillings)}
        if decision.verdict is Verdict.INCOMPLETE:
            incomplete += 1
        else:
            # certain although the deployment is open: every answer gives this verdict
            assert verdicts == {decision.verdict}, registration.id
        if len(verdicts) > 1:
            assert decision.verdict is Verdict.INCOMPLETE, registration.id
            assert "deployment" in {q.field for q in decision.questions}
    assert incomplete > 0.9 * UNKNOWN_DEPLOYMENT


def test_unknown_encryption_never_reads_as_not_encrypted(register: Checked) -> None:
    public = [
        r
        for r in register.inventory.registrations
        if r.deployment is Deployment.PUBLIC
        and r.encrypted_at_rest is None
        and r.encrypted_in_transit  # known: in transit yes
        and r.open_data is False
    ]
    assert public, "the register has public services with unknown encryption"
    for decision in decide(register, public):
        encryption = [f for f in decision.findings if f.rule == "cb2026.4.encryption"]
        assert encryption and not any(f.certain for f in encryption)
        assert "encrypted_at_rest" in {q.field for q in decision.questions}


def test_check_reports_incomplete_results_and_fails_on_the_worst_verdict(
    tmp_path: Path,
) -> None:
    path = tmp_path / "rekenkamer.json"
    path.write_text(json.dumps(rekenkamer_register()), encoding="utf-8")

    result = subprocess.run(
        [CLI, "check", str(path), "--format", "json", "--as-of", AS_OF, "--fail-on", "transition"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    results = report["results"]
    assert len(results) == TOTAL
    by_verdict = Counter(r["verdict"] for r in results)
    assert report["summary"]["by_verdict"]["incomplete"] == by_verdict["incomplete"] > 0
    for result_ in results:
        best, worst = result_["verdict_range"]["best"], result_["verdict_range"]["worst"]
        assert (result_["verdict"] == "incomplete") == (best != worst)
        if result_["verdict"] == "incomplete":
            assert result_["questions"], result_["registration"]
