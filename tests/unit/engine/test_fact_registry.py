"""Facts and message places come from one registry (policy/facts.py).

A fact registered in a test alone works in a condition, in three-valued evaluation and in a
message; every place a built-in rule names is written in plain Dutch, without codes.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import string
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.domain.fields import FieldType
from cloudtoets.domain.model import Registration
from cloudtoets.domain.vocabulary import (
    Classification,
    Deployment,
    KeyRegister,
    PersonalData,
    ServiceFunction,
    Verdict,
)
from cloudtoets.engine.evaluate import Evaluator
from cloudtoets.engine.messages import Facts, MessageBuilder
from cloudtoets.policy.facts import (
    Fact,
    Placeholder,
    markdown,
    placeholders,
    register_fact,
    unregister_fact,
)
from cloudtoets.policy.loader import load_policy
from cloudtoets.policy.model import Policy
from cloudtoets.problems import InputError

from .builders import (
    AS_OF,
    DEFAULT_POLICY,
    EER_CH_POLICY,
    OVERHEIDSBREED_POLICY,
    context,
    exit_plan,
    finding,
    justification,
    material_registration,
    organisation,
    policy,
    registration,
)

SRC = Path(__file__).resolve().parents[3] / "src"

USES_AI = Fact(
    "uses_ai",
    FieldType("bool"),
    "de dienst doet aan kunstmatige intelligentie",
    "python",
    derive=lambda r, o: None if r.functions is None else ServiceFunction.AI in r.functions,
    waits=("functions",),
    placeholders=(
        Placeholder(
            "ai_note",
            "of de dienst AI gebruikt",
            ("uses_ai",),
            lambda f: (f.extra["uses_ai"],),
            lambda policy: lambda used: "met kunstmatige intelligentie" if used else "zonder AI",
        ),
    ),
)
ANALYTICS = Fact("uses_analytics", FieldType("bool"), "de dienst analyseert gegevens", "condition")

AI_POLICY = """
id: met-ai-regel
extends: rijksbreed-cloudbeleid-2026
title: Met een regel over AI
version: "1"
status: variant
source: test
facts:
  uses_analytics:
    when: {all: [{fact: public_cloud}, {field: functions, op: contains, value: analytics}]}
rules:
  - id: test.ai.register
    section: "9"
    basis: letter
    severity: recommended
    transition: none
    applies_when: {fact: public_cloud}
    finding_when: {any: [{fact: uses_ai}, {fact: uses_analytics}]}
    text:
      title: AI in de publieke cloud
      problem: Deze dienst werkt {ai_note}.
      action: Leg vast waarvoor.
"""


@pytest.fixture
def ai_policy(tmp_path: Path) -> Iterator[Policy]:
    register_fact(USES_AI)
    register_fact(ANALYTICS)
    try:
        path = tmp_path / "met-ai.yaml"
        path.write_text(AI_POLICY, encoding="utf-8")
        yield load_policy(path)
    finally:
        unregister_fact("uses_analytics")
        unregister_fact("uses_ai")


def _evaluate(p: Policy, reg: Registration, *, eager: bool = False) -> object:
    return Evaluator(p, AS_OF, eager_messages=eager).evaluate(reg, context())


def test_a_fact_registered_in_a_test_works_in_conditions_and_messages(ai_policy: Policy) -> None:
    for eager in (False, True):
        with_ai = _evaluate(ai_policy, registration(functions=[ServiceFunction.AI]), eager=eager)
        found = finding(with_ai, "test.ai.register")  # type: ignore[arg-type]
        assert found.message.startswith("Deze dienst werkt met kunstmatige intelligentie.")
        assert found.certain
    plain = _evaluate(ai_policy, registration(functions=[]))
    assert "test.ai.register" not in [f.rule for f in plain.findings]  # type: ignore[attr-defined]
    # the condition fact from the policy file's facts section
    analytics = _evaluate(ai_policy, registration(functions=[ServiceFunction.ANALYTICS]))
    found = finding(analytics, "test.ai.register")  # type: ignore[arg-type]
    assert found.message.startswith("Deze dienst werkt zonder AI.")


def test_a_registered_fact_is_three_valued(ai_policy: Policy) -> None:
    unknown = registration(functions=None)
    decision = _evaluate(ai_policy, unknown)
    found = finding(decision, "test.ai.register")  # type: ignore[arg-type]
    assert found.certain is False
    assert decision.verdict is Verdict.INCOMPLETE  # type: ignore[attr-defined]
    questions = {q.field: q.rules for q in decision.questions}  # type: ignore[attr-defined]
    assert "test.ai.register" in questions["functions"]
    # not public cloud: the fact's rule cannot fire, unknown or not
    private = replace_deployment(unknown, Deployment.PRIVATE_INTERNAL)
    assert "test.ai.register" not in [
        f.rule
        for f in _evaluate(ai_policy, private).findings  # type: ignore[attr-defined]
    ]


def replace_deployment(reg: Registration, deployment: Deployment) -> Registration:
    from dataclasses import replace

    return replace(reg, deployment=deployment, provider=None)


def test_an_unknown_place_or_fact_is_refused_before_anything_runs(tmp_path: Path) -> None:
    path = tmp_path / "zonder-registratie.yaml"
    path.write_text(AI_POLICY, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_policy(path)
    text = " ".join(problem.message for problem in refused.value.problems)
    assert "onbekend feit 'uses_ai'" in text
    assert "facts.uses_analytics" in text


def test_the_facts_section_derives_the_deployment_facts() -> None:
    p = policy()
    assert set(p.facts) == {"public_cloud", "external_cloud", "material", "existing_use"}
    assert policy(EER_CH_POLICY).facts.keys() == p.facts.keys()


# --- every place of every built-in rule, rendered ---------------------------------------------

CHINA_RUN = "nl-cn-run-owned"
VITAL_ORG = organisation(vital_provider=True)

# A registration (and organisation) that fires each built-in rule whose texts name a place.
FIRING: dict[str, Callable[[], Registration]] = {
    "cb2026.4.location": lambda: registration(storage_countries=["AU", "US"]),
    "cb2026.4.3.jurisdiction": lambda: registration(provider="nl-us-owned", core_task=True),
    "cb2026.5.2.classified": lambda: registration(
        classification=Classification.STG_GEHEIM, tbb_level=2
    ),
    "cb2026.5.2.abro": lambda: registration(
        classification=Classification.DEP_VERTROUWELIJK, tbb_level=4, abro_declaration=False
    ),
    "cb2026.5.4.source-data": lambda: registration(
        key_register=KeyRegister.BRP, holds_source_data=True
    ),
    "cb2026.3.1.jurisdiction-risk": lambda: material_registration(
        provider="nl-us-owned",
        risk_assessment=material_registration().risk_assessment.__class__(  # type: ignore[union-attr]
            date=dt.date(2026, 9, 1),
            covers_lock_in=True,
            covers_jurisdiction=False,
            accepted_by="SG BZK",
            accepted_on=dt.date(2026, 9, 15),
        ),
    ),
    "cb2026.3.2.exit-tested": lambda: material_registration(
        exit_plan=exit_plan(last_tested=dt.date(2024, 1, 1))
    ),
    "cb2026.c2000.offensive-cyber": lambda: registration(provider=CHINA_RUN),
    "cb2026.3.3.deviation-reported": lambda: registration(
        personal_data=PersonalData.SPECIAL,
        justifications=[justification("cb2026.4.6.special-data", reported_on=None)],
    ),
}


def _places(rule_text: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(rule_text) if name]


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for policy_id in (DEFAULT_POLICY, EER_CH_POLICY, OVERHEIDSBREED_POLICY):
        for rule in policy(policy_id).rules:
            for name in dict.fromkeys(_places(rule.problem + rule.action)):
                cases.append((policy_id, rule.id, name))
    return cases


_CODE = re.compile(r"\b(" + "|".join(sorted(ISO_COUNTRY_CODES)) + r")\b")


@pytest.mark.parametrize(("policy_id", "rule_id", "name"), _cases())
def test_every_place_of_every_rule_is_written_in_dutch(
    policy_id: str, rule_id: str, name: str
) -> None:
    assert rule_id in FIRING, f"give a registration that fires {rule_id} in FIRING"
    p = policy(policy_id)
    rule = p.rule(rule_id)
    reg = FIRING[rule_id]()
    org = VITAL_ORG
    for eager in (False, True):
        decision = Evaluator(p, AS_OF, eager_messages=eager).evaluate(reg, context(org))
        found = finding(decision, rule_id)
        facts = Facts(reg, frozenset(decision.jurisdictions), decision.effective_tbb_level, ())
        message = found.message
        assert "{" not in message and "}" not in message, message
        assert "cb2026." not in message, message
        assert not _CODE.search(message), message
    place = placeholders()[name]
    builder = MessageBuilder(p)
    if name == "unreported_rules":
        value = builder._render[name](("cb2026.4.6.special-data",))
    else:
        value = builder._render[name](*place.take(facts))
    assert value and value != "-" and value in message, (value, message)
    assert rule.id == rule_id


def test_a_key_register_is_named_in_full() -> None:
    reg = FIRING["cb2026.5.4.source-data"]()
    decision = Evaluator(policy(), AS_OF).evaluate(reg, context())
    message = finding(decision, "cb2026.5.4.source-data").message
    assert message.startswith("De brondata van de Basisregistratie Personen (BRP) worden")


CLASSIFIED_POLICY = """
id: met-rubricering
extends: rijksbreed-cloudbeleid-2026
title: Met de rubricering in de tekst
version: "1"
status: variant
source: test
change_rules:
  - id: cb2026.5.2.classified
    text: {problem: "De informatie is gerubriceerd als {classification}."}
"""


def test_the_classification_is_named_not_coded(tmp_path: Path) -> None:
    path = tmp_path / "rubricering.yaml"
    path.write_text(CLASSIFIED_POLICY, encoding="utf-8")
    p = load_policy(path)
    reg = FIRING["cb2026.5.2.classified"]()
    for eager in (False, True):
        decision = Evaluator(p, AS_OF, eager_messages=eager).evaluate(reg, context())
        message = finding(decision, "cb2026.5.2.classified").message
        assert message.startswith("De informatie is gerubriceerd als Stg. Geheim."), message
    write = MessageBuilder(p)._render["classification"]
    assert write(Classification.NONE) == "ongerubriceerd"
    assert write(Classification.DEP_VERTROUWELIJK) == "Departementaal vertrouwelijk"
    assert write(None) == "-"


def test_countries_are_named_with_their_article_in_a_list() -> None:
    decision = Evaluator(policy(), AS_OF).evaluate(FIRING["cb2026.4.location"](), context())
    message = finding(decision, "cb2026.4.location").message
    assert "verwerkt in Australië en de Verenigde Staten." in message


# --- no policy in the code ---------------------------------------------------------------------


def _literal_code_lists(tree: ast.AST) -> Iterator[tuple[int, set[str]]]:
    """Every literal collection of texts, and every text of words, with its line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Set | ast.List | ast.Tuple):
            items = {e.value for e in node.elts if isinstance(e, ast.Constant)}
            yield node.lineno, {i for i in items if isinstance(i, str)}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, set(node.value.split())


def test_no_eea_country_list_in_the_code() -> None:
    """The EEA and the allowed countries are parameters of the policy, never Python."""
    eea = load_policy().parameters.eea
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for line, items in _literal_code_lists(tree):
            codes = {i.upper() for i in items}
            # a list of most EEA countries and little else; the table of all codes is not one
            if len(codes & eea) >= 20 and len(codes - eea) <= 5:
                found.append(f"{path.relative_to(SRC)}:{line}")
    assert found == []


def test_the_policy_language_page_lists_the_registry() -> None:
    page = (SRC.parent / "docs" / "policy-language.md").read_text(encoding="utf-8")
    begin, end = "<!-- feiten: begin -->\n", "<!-- feiten: einde -->"
    listed = page[page.index(begin) + len(begin) : page.index(end)]
    assert listed == markdown(), "write policy.facts.markdown() between the markers"
