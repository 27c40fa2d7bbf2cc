"""Messages composed on first read equal messages composed while evaluating.

The engine gives each new finding a composer (``Finding.deferred``) instead of its text; the text
is built from values captured during the evaluation. These tests compare such findings with the
ones of an evaluator that composes every message at once from the registration
(``eager_messages=True``), also after the registrations were changed, and through every reader
of findings: the JSON and CSV results, the register's stored result, pickling and copying.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import pickle
from pathlib import Path

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from cloudtoets.domain.decision import Decision, Finding
from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.domain.serialise import decision_result, jsonable
from cloudtoets.engine.context import EvaluationContext
from cloudtoets.engine.evaluate import Evaluator
from cloudtoets.io import results
from cloudtoets.io.read import read_inventory

from .builders import AS_OF, DEFAULT_POLICY, context, policy
from .test_properties import POLICY_IDS, dates, organisations, registrations

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "ministerie-bzk.yaml"


def composed(finding: Finding) -> bool:
    """Whether the message is there yet (reading ``finding.message`` would compose it)."""
    try:
        Finding.__dict__["message"].__get__(finding, Finding)
    except AttributeError:
        return False
    return True


def evaluate_all(
    evaluator: Evaluator, registrations: list[Registration], ctx: EvaluationContext
) -> list[Decision]:
    return [evaluator.evaluate(r, ctx) for r in registrations]


def scramble(registration: Registration) -> None:
    """Change everything a message names, after the evaluation."""
    registration.storage_countries[:] = ["US", "CN"]
    registration.processing_countries.clear()
    registration.key_register = None
    registration.classification = None
    registration.tbb_level = None
    for j in registration.justifications:
        j.accepted_by = "iemand anders"
        j.accepted_on = dt.date(2020, 1, 1)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(registrations(), min_size=1, max_size=12),
    organisations,
    st.sampled_from(POLICY_IDS),
    dates,
)
def test_deferred_messages_equal_eager_ones_even_after_the_input_changed(
    batch: list[Registration], org: Organisation, policy_id: str, as_of: dt.date
) -> None:
    ctx = context(org)
    eager = evaluate_all(
        Evaluator(policy(policy_id), as_of, eager_messages=True), copy.deepcopy(batch), ctx
    )
    lazy = evaluate_all(Evaluator(policy(policy_id), as_of), batch, ctx)
    findings = [f for d in lazy for f in d.findings]
    assert not any(composed(f) for f in findings)

    for registration in batch:
        scramble(registration)

    assert [f.message for d in lazy for f in d.findings] == [
        f.message for d in eager for f in d.findings
    ]
    assert lazy == eager
    assert all(composed(f) for f in findings)


def example_decisions(*, eager_messages: bool) -> list[Decision]:
    checked = read_inventory(EXAMPLE)
    ctx = EvaluationContext(checked.organisations, checked.providers)
    evaluator = Evaluator(policy(DEFAULT_POLICY), AS_OF, eager_messages=eager_messages)
    return evaluator.evaluate_all(checked.inventory.registrations, ctx)


def test_every_reader_of_findings_gets_the_same_text() -> None:
    eager = example_decisions(eager_messages=True)
    readers = {
        "json": lambda ds: _json(ds),
        "csv": lambda ds: _csv(ds),
        "stored result": lambda ds: orjson.dumps([decision_result(d) for d in ds]),
        "jsonable": lambda ds: [jsonable(f) for d in ds for f in d.findings],
        "repr": lambda ds: repr(ds),
    }
    assert any(d.findings for d in eager)
    for name, read in readers.items():
        lazy = example_decisions(eager_messages=False)  # fresh: nothing composed yet
        assert read(lazy) == read(eager), name


def _json(decisions: list[Decision]) -> bytes:
    out = io.BytesIO()
    results.write_json(decisions, policy(DEFAULT_POLICY), AS_OF, out)
    return out.getvalue()


def _csv(decisions: list[Decision]) -> bytes:
    out = io.BytesIO()
    results.write_csv(decisions, out)
    return out.getvalue()


def test_a_deferred_finding_pickles_copies_and_hashes_as_an_eager_one() -> None:
    eager = [f for d in example_decisions(eager_messages=True) for f in d.findings]
    for copier in (pickle.loads, copy.copy, copy.deepcopy):
        lazy = [f for d in example_decisions(eager_messages=False) for f in d.findings]
        if copier is pickle.loads:
            copies = [pickle.loads(pickle.dumps(f)) for f in lazy]
        else:
            copies = [copier(f) for f in lazy]
        assert copies == eager
        assert {hash(f) for f in copies} == {hash(f) for f in eager}
