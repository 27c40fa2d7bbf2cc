"""Load a policy file (built-in id or path), resolve ``extends``, check everything, hash it.

A variant names the policy it ``extends`` and lists only what differs: parameters and texts
replace the base's key by key, rules replace the base rule with the same id or are added, and
``remove_rules`` drops rules. The merged result is checked as a whole, so a variant is held to the
same standard as the policy it comes from.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from cloudtoets.policy.conditions import (
    ConditionError,
    parse,
    parse_fact_conditions,
    uses_facts,
)
from cloudtoets.policy.facts import placeholders
from cloudtoets.policy.model import Policy, Rule
from cloudtoets.policy.schema import PolicyFile
from cloudtoets.problems import InputError, Problem, dutch_message
from cloudtoets.yaml12 import YamlTooComplex, load_yaml

DEFAULT_POLICY_ID = "rijksbreed-cloudbeleid-2026"

# The places a rule's problem and action may name are in the registry of policy/facts.py.
TEXT_PLACEHOLDERS = frozenset({"deadline", "adopted", "accepted_by", "accepted_on", "section"})
# A citation names only where a rule comes from: texts.section (this policy, adopted on ...)
# and a rule's own citation (another document, so not this policy's adoption date).
CITATION_PLACEHOLDERS = frozenset({"adopted", "section"})
RULE_CITATION_PLACEHOLDERS = frozenset({"section"})


def _builtin_dir() -> Path:
    return Path(str(resources.files("cloudtoets.policy") / "policies"))


def builtin_policy_ids() -> list[str]:
    return sorted(p.stem for p in _builtin_dir().glob("*.yaml"))


def resolve_policy_path(ref: str | Path, relative_to: Path | None = None) -> Path:
    """A built-in id or a file path; a clear error when it is neither."""
    text = str(ref)
    builtin = _builtin_dir() / f"{text}.yaml"
    if builtin.is_file():
        return builtin
    candidates = [Path(text)]
    if relative_to is not None:
        candidates.insert(0, relative_to / text)
    for path in candidates:
        if path.is_file():
            return path
    known = ", ".join(builtin_policy_ids())
    raise InputError(
        text,
        [
            Problem(
                "", f"geen ingebouwd beleid en geen bestand met deze naam; ingebouwd zijn: {known}"
            )
        ],
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        raw = load_yaml(path.read_bytes())
    except OSError as exc:
        raise InputError(
            str(path), [Problem("", f"kan het bestand niet lezen ({exc.strerror})")]
        ) from exc
    except Exception as exc:  # yaml.YAMLError and its parser marks
        raise InputError(str(path), [Problem("", f"geen geldige YAML: {exc}")]) from exc
    if not isinstance(raw, dict):
        raise InputError(str(path), [Problem("", "een beleidsbestand is een YAML-object")])
    return raw


def _merged(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    raw = _read(path)
    base_ref = raw.pop("extends", None)
    removed = raw.pop("remove_rules", [])
    if base_ref is None:
        return raw
    base_path = resolve_policy_path(base_ref, path.parent).resolve()
    if base_path in seen or base_path == path.resolve():
        raise InputError(
            str(path), [Problem("extends", f"'{base_ref}' verwijst in een kring terug")]
        )
    base = _merged(base_path, (*seen, path.resolve()))
    return _merge_onto(base, raw, removed, str(path))


def _merge_onto(
    base: dict[str, Any], raw: dict[str, Any], removed: Any, source: str
) -> dict[str, Any]:
    """A variant (without its ``extends`` and ``remove_rules``) merged onto its base."""
    if not isinstance(removed, list):
        raise InputError(source, [Problem("remove_rules", "geef een lijst met regel-id's")])
    merged = {**base, **{k: v for k, v in raw.items() if k not in ("parameters", "texts", "rules")}}
    for part in ("parameters", "texts"):
        own = raw.get(part, {})
        if not isinstance(own, dict):
            raise InputError(source, [Problem(part, "geef een object met namen en waarden")])
        merged[part] = {**base.get(part, {}), **own}
    rules = {r.get("id"): r for r in base.get("rules", []) if isinstance(r, dict)}
    for rule_id in removed:
        if not isinstance(rule_id, str) or rules.pop(rule_id, None) is None:
            raise InputError(source, [Problem("remove_rules", f"regel {rule_id} bestaat niet")])
    own_rules = raw.get("rules", [])
    if not isinstance(own_rules, list):
        raise InputError(source, [Problem("rules", "geef een lijst met regels")])
    for rule in own_rules:
        rules[rule.get("id") if isinstance(rule, dict) else None] = rule
    merged["rules"] = list(rules.values())
    return merged


def _where(loc: tuple[int | str, ...], raw: Mapping[str, Any]) -> str:
    parts: list[str] = []
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        rules = raw.get("rules", [])
        rule = rules[loc[1]] if loc[1] < len(rules) else {}
        rule_id = rule.get("id") if isinstance(rule, dict) else None
        parts.append(f"regel {rule_id}" if rule_id else f"regel nummer {loc[1] + 1}")
        loc = loc[2:]
    if loc:
        parts.append(".".join(str(p) for p in loc))
    return " ".join(parts)


def _place_problems(where: str, template: str, known: frozenset[str]) -> list[Problem]:
    """The places in a text that the engine cannot fill. A place is a bare name: one with a
    format (``{deadline:>99}``) or a conversion (``{deadline!r}``) is refused too, since the
    engine writes a value as it is (a width of a billion would cost the server its memory)."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError:
        message = "een losse { of } in de tekst; schrijf {{ of }} voor het teken zelf"
        return [Problem(where, message)]
    problems = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        if spec or conversion:
            message = f"de plek {{{name}}} heeft opmaak; schrijf alleen {{{name}}}"
            problems.append(Problem(where, message))
        elif name not in known:
            problems.append(Problem(where, f"onbekende plek {{{name}}} in de tekst"))
    return problems


def _text_problems(spec: PolicyFile) -> list[Problem]:
    problems: list[Problem] = []
    for name, template in spec.texts.model_dump().items():
        known = CITATION_PLACEHOLDERS if name == "section" else TEXT_PLACEHOLDERS
        problems += _place_problems(f"texts.{name}", template, known)
    for rule in spec.rules:
        if rule.citation is not None:
            where = f"regel {rule.id} citation"
            problems += _place_problems(where, rule.citation, RULE_CITATION_PLACEHOLDERS)
        for part in ("title", "problem", "action"):
            template = getattr(rule.text, part)
            problems += _place_problems(
                f"regel {rule.id} text.{part}", template, frozenset(placeholders())
            )
    return problems


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_canonical(v) for v in value)
    return value


def revision_of(spec: PolicyFile) -> str:
    """SHA-256 over the canonical JSON of the checked, merged policy."""
    canonical = _canonical(spec.model_dump(mode="python"))
    data = orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS, default=str)
    return hashlib.sha256(data).hexdigest()


def load_policy(ref: str | Path = DEFAULT_POLICY_ID) -> Policy:
    """Load, merge and check a policy; raises InputError with every problem found."""
    path = resolve_policy_path(ref).resolve()
    return _load_checked(path, path.stat().st_mtime_ns)


# An uploaded policy (the API and the pages) may hold at most this many rules after merging;
# the built-in policies hold 22. Every rule is evaluated for every registration.
MAX_UPLOADED_RULES = 200


def load_policy_document(filename: str, data: bytes) -> Policy:
    """Load and check an uploaded policy file (YAML or JSON) like ``load_policy`` does, for a
    server: ``extends`` may name only a built-in policy (never a file on the server), and the
    merged policy holds at most MAX_UPLOADED_RULES rules. InputError names ``filename``.

    Not cached: every upload is new. Run it within limits (``services/uploads.py``): the text
    is whatever the uploader sent."""
    try:
        raw = load_yaml(data)
    except (MemoryError, RecursionError):
        raise  # the limits of the worker that reads it (services/uploads.py) must see them
    except Exception as exc:  # yaml.YAMLError, YamlTooComplex, a decoding error
        raise InputError(filename, [_yaml_problem(exc)]) from None
    if not isinstance(raw, dict):
        message = "een beleidsbestand is een object met id, title, parameters, texts en rules"
        raise InputError(filename, [Problem("", message)])
    base_ref = raw.pop("extends", None)
    removed = raw.pop("remove_rules", [])
    if base_ref is not None:
        known = builtin_policy_ids()
        if not isinstance(base_ref, str) or base_ref not in known:
            message = (
                f"'{base_ref}' is geen ingebouwd beleid; een geüpload beleid bouwt alleen voort "
                f"op een ingebouwd beleid: kies uit {', '.join(known)}"
            )
            raise InputError(filename, [Problem("extends", message)])
        raw = _merge_onto(_merged(resolve_policy_path(base_ref)), raw, removed, filename)
    elif removed:
        message = "remove_rules hoort bij een variant: noem ook het beleid in extends"
        raise InputError(filename, [Problem("remove_rules", message)])
    rules = raw.get("rules")
    if isinstance(rules, list) and len(rules) > MAX_UPLOADED_RULES:
        message = (
            f"het beleid heeft {len(rules)} regels; hier mogen er hoogstens "
            f"{MAX_UPLOADED_RULES} zijn. Toets zo'n beleid met cloudtoets op uw eigen computer"
        )
        raise InputError(filename, [Problem("rules", message)])
    return _checked(raw, filename, Path(filename))


def _yaml_problem(exc: Exception) -> Problem:
    """A YAML error in Dutch, with its line and column where the parser knows them."""
    if isinstance(exc, YamlTooComplex):
        return Problem(f"regel {exc.line}", exc.message)
    mark = getattr(exc, "problem_mark", None)
    where = f"regel {mark.line + 1}, kolom {mark.column + 1}" if mark is not None else ""
    if "nesting depth" in str(exc):
        message = "de gegevens zijn te diep in elkaar genest; schrijf het beleid platter"
    else:
        found = getattr(exc, "problem", None) or type(exc).__name__
        message = (
            f"geen geldige YAML of JSON ({found}); kijk daar naar haakjes, "
            "aanhalingstekens en inspringing"
        )
    return Problem(where, message)


@cache
def _default_facts() -> dict[str, Any]:
    """The facts section of the built-in policy: what a fact a file leaves out is derived by."""
    facts = _read(resolve_policy_path(DEFAULT_POLICY_ID)).get("facts", {})
    return facts if isinstance(facts, dict) else {}


@cache
def _load_checked(path: Path, mtime_ns: int) -> Policy:
    """Cached per file version: the same file loads once per process."""
    return _checked(_merged(path), str(path), path)


def _checked(raw: dict[str, Any], source: str, origin: Path) -> Policy:
    """The merged policy checked as a whole: the schema, the texts, every condition."""
    try:
        spec = PolicyFile.model_validate(raw)
    except ValidationError as exc:
        problems = [Problem(_where(e["loc"], raw), dutch_message(e)) for e in exc.errors()]
        raise InputError(source, problems) from None
    problems = _text_problems(spec)
    parameters = dict(spec.parameters)
    rules: list[Rule] = []
    for spec_rule in spec.rules:
        try:
            applies = (
                parse(spec_rule.applies_when, f"regel {spec_rule.id} applies_when", parameters)
                if spec_rule.applies_when is not None
                else None
            )
            finding = parse(
                spec_rule.finding_when, f"regel {spec_rule.id} finding_when", parameters
            )
        except ConditionError as exc:
            problems.append(Problem("", str(exc)))
            continue
        facts = uses_facts(finding) | (uses_facts(applies) if applies is not None else set())
        rules.append(
            Rule(
                id=spec_rule.id,
                section=spec_rule.section,
                basis=spec_rule.basis,
                citation=spec_rule.citation,
                severity=spec_rule.severity,
                transition=None if spec_rule.transition == "none" else spec_rule.transition,
                applies_when=applies,
                finding_when=finding,
                justification_requires=spec_rule.justification_requires,
                title=spec_rule.text.title,
                problem=spec_rule.text.problem,
                action=spec_rule.text.action,
                facts=frozenset(facts),
            )
        )
    fact_conditions, fact_problems = parse_fact_conditions(
        raw.get("facts"), _default_facts(), parameters
    )
    problems += [Problem("", message) for message in fact_problems]
    if problems:
        raise InputError(source, problems)
    return Policy(
        id=spec.id,
        title=spec.title,
        version=spec.version,
        status=spec.status,
        source=spec.source,
        parameters=spec.parameters,
        texts=spec.texts,
        rules=tuple(sorted(rules, key=lambda r: r.id)),
        revision=revision_of(spec),
        origin=origin,
        facts=fact_conditions,
    )
