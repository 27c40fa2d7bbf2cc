"""The check result document: streamed JSON equals the whole document and follows the schema."""

from __future__ import annotations

import datetime as dt
import io
import json
from importlib import resources
from pathlib import Path

import jsonschema
import orjson
import pytest

from cloudtoets.domain.decision import Decision
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import evaluate_registrations
from cloudtoets.io import results
from cloudtoets.io.read import read_inventory
from cloudtoets.policy.loader import load_policy

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ministerie-bzk.yaml"
AS_OF = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def decisions() -> list[Decision]:
    checked = read_inventory(EXAMPLE)
    context = EvaluationContext(checked.organisations, checked.providers)
    return evaluate_registrations(checked.inventory.registrations, context, load_policy(), AS_OF)


@pytest.mark.parametrize("chunk", [1, 7, 5_000])
def test_streamed_json_equals_the_whole_document(
    decisions: list[Decision], chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "JSON_CHUNK", chunk)
    out = io.BytesIO()
    results.write_json(decisions, load_policy(), AS_OF, out)
    assert (
        out.getvalue()
        == orjson.dumps(results.results_document(decisions, load_policy(), AS_OF)) + b"\n"
    )


def test_result_document_follows_the_published_schema(decisions: list[Decision]) -> None:
    schema = json.loads(
        (resources.files("cloudtoets.io") / "schemas" / "check-result.schema.json").read_text(
            encoding="utf-8"
        )
    )
    out = io.BytesIO()
    results.write_json(decisions, load_policy(), AS_OF, out)
    jsonschema.validate(
        json.loads(out.getvalue()), schema, format_checker=jsonschema.FormatChecker()
    )


def test_schema_rejects_a_document_that_breaks_the_contract(decisions: list[Decision]) -> None:
    schema = json.loads(
        (resources.files("cloudtoets.io") / "schemas" / "check-result.schema.json").read_text(
            encoding="utf-8"
        )
    )
    document = json.loads(orjson.dumps(results.results_document(decisions, load_policy(), AS_OF)))
    document["results"][0]["verdict"] = "mag-wel"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, schema)


def test_summary_lists_only_verdicts_that_occur(decisions: list[Decision]) -> None:
    summary = results.summary(decisions[:1])
    assert summary["registrations"] == 1
    assert list(summary["by_verdict"].values()) == [1]


def test_large_registers_get_one_aligned_line_per_registration(
    decisions: list[Decision], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "TABLE_ROWS", 5)
    out = io.StringIO()
    results.render_table(decisions, load_policy(), AS_OF, out, color=False)
    lines = out.getvalue().splitlines()
    rows = [line for line in lines if line.split(" ", 1)[0] in {d.registration for d in decisions}]
    assert len(rows) == len(decisions)
    verdict_columns = {row.index(d.verdict.label) for row, d in zip(rows, decisions, strict=True)}
    assert len(verdict_columns) == 1  # aligned
    assert "\x1b[" not in out.getvalue()
    assert f"{len(decisions)} registraties." in lines[-2]


def test_small_registers_get_a_table_with_dutch_verdicts(decisions: list[Decision]) -> None:
    out = io.StringIO()
    results.render_table(decisions, load_policy(), AS_OF, out, color=False)
    text = out.getvalue()
    assert "┃ Registratie" in text
    assert "toegestaan onder voorwaarden" in text
    assert "Data buiten de" in text  # a finding by its rule's title


def test_findings_show_their_rules_title_beside_the_id(
    decisions: list[Decision], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "TABLE_ROWS", 5)
    out = io.StringIO()
    results.render_table(decisions, load_policy(), AS_OF, out, color=False)
    text = out.getvalue()
    fired = {f.rule for d in decisions for f in d.findings}
    assert fired
    for rule in load_policy().rules:
        if rule.id in fired:
            assert f"{rule.title} ({rule.id}, " in text, rule.id


def test_each_result_is_the_domain_serialisation(decisions: list[Decision]) -> None:
    """The streamed results carry exactly ``serialise.decision_result`` (unknowns.md keys)."""
    from cloudtoets.domain.serialise import decision_result

    document = json.loads(orjson.dumps(results.results_document(decisions, load_policy(), AS_OF)))
    assert document["results"] == [json.loads(orjson.dumps(decision_result(d))) for d in decisions]
    incomplete = [r for r in document["results"] if r["verdict"] == "incomplete"]
    assert incomplete and all(r["questions"] for r in incomplete)
    assert document["summary"]["by_verdict"]["incomplete"] == len(incomplete)


def test_lines_of_a_large_register_show_the_range_and_the_questions(
    decisions: list[Decision], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "TABLE_ROWS", 5)
    out = io.StringIO()
    results.render_table(decisions, load_policy(), AS_OF, out, color=False)
    (line,) = [row for row in out.getvalue().splitlines() if row.startswith("bzk-websites")]
    assert "onvolledig (toegestaan … overgangstermijn)" in line
    assert line.endswith("vragen: deployment open_data")
    assert ", verboden, mogelijk)" in line
