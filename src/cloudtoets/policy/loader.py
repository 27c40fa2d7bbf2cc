"""Load a policy file (built-in id or path), resolve ``extends``, check everything, hash it.

A variant names the policy it ``extends`` and lists only what differs (docs/policy-language.md):
a parameter is replaced, or a list or mapping takes ``{add: ..., remove: ...}``; texts replace
the base's key by key; ``rules`` adds new rules, ``change_rules`` changes fields of inherited
ones and ``remove_rules`` drops them; examples are inherited by name. The merged result is
checked as a whole, so a variant is held to the same standard as the policy it comes from, and
every problem of every kind is reported at once.
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
    Node,
    parse,
    parse_fact_conditions,
    uses_facts,
)
from cloudtoets.policy.facts import placeholders
from cloudtoets.policy.model import Policy, Rule
from cloudtoets.policy.schema import Parameters, PolicyFile
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


# Keys that only a variant has; they say how it changes its base.
VARIANT_KEYS = ("remove_rules", "change_rules", "remove_examples")


class _Found:
    """Problems and warnings gathered while reading and merging, reported together."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        # how many rules of the merged list a variant inherits: its own come after them
        self.inherited_rules = 0


def _read(path: Path) -> dict[str, Any]:
    """The YAML of a file; a YAML error stops here, since nothing after it can be read."""
    try:
        raw = load_yaml(path.read_bytes())
    except OSError as exc:
        raise InputError(
            str(path), [Problem("", f"kan het bestand niet lezen ({exc.strerror})")]
        ) from exc
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # yaml.YAMLError and its parser marks, YamlTooComplex
        raise InputError(str(path), [_yaml_problem(exc)]) from None
    if not isinstance(raw, dict):
        message = "een beleidsbestand is een object met id, title, parameters, texts en rules"
        raise InputError(str(path), [Problem("", message)])
    return raw


def _merged(path: Path, found: _Found, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    raw = _read(path)
    base_ref = raw.pop("extends", None)
    changes = {key: raw.pop(key) for key in VARIANT_KEYS if key in raw}
    if base_ref is None:
        for key in changes:
            message = f"{key} hoort bij een variant: noem ook het beleid in extends"
            found.problems.append(Problem(key, message))
        return _spec_names(raw, found, None)
    if not isinstance(base_ref, str):
        found.problems.append(Problem("extends", "geef het id of het pad van één beleid"))
        return raw
    base_path = resolve_policy_path(base_ref, path.parent).resolve()
    if base_path in seen or base_path == path.resolve():
        raise InputError(
            str(path), [Problem("extends", f"'{base_ref}' verwijst in een kring terug")]
        )
    base = _merged(base_path, found, (*seen, path.resolve()))
    return _merge_onto(base, raw, changes, found, base_ref)


def _same(value: Any) -> Any:
    """How two list items compare: country codes (nl, NL) are the same either way."""
    return value.upper() if isinstance(value, str) else value


def _composed(where: str, inherited: Any, own: Any, found: _Found, base_ref: str) -> Any:
    """One value of a variant (a parameter, a fact's criteria) on the inherited value:
    ``{add: ..., remove: ...}`` on a list or mapping, otherwise the variant's value replaces
    it. ``where`` names it in a problem (``parameters.eea``)."""
    key = where.rpartition(".")[2]
    composing = isinstance(own, dict) and bool(own) and set(own) <= {"add", "remove"}
    if composing and isinstance(inherited, list):
        add, remove = own.get("add", []), own.get("remove", [])
        if not isinstance(add, list) or not isinstance(remove, list):
            found.problems.append(Problem(where, "add en remove zijn lijsten, zoals {add: [CH]}"))
            return inherited
        present = {_same(v) for v in inherited if not isinstance(v, dict | list)}
        for value in remove:
            if isinstance(value, dict | list) or _same(value) not in present:
                message = f"remove: {value} staat niet in de lijst van {base_ref}"
                found.problems.append(Problem(where, message))
        gone = {_same(v) for v in remove if not isinstance(v, dict | list)}
        kept = [v for v in inherited if _same(v) not in gone]
        return kept + [v for v in add if isinstance(v, dict | list) or _same(v) not in present]
    if composing and isinstance(inherited, dict):
        add, remove = own.get("add", {}), own.get("remove", [])
        if not isinstance(add, dict) or not isinstance(remove, list):
            message = "add is een object met namen en waarden, remove een lijst met namen"
            found.problems.append(Problem(where, message))
            return inherited
        for name in remove:
            if name not in inherited:
                message = f"remove: {name} staat niet in {key} van {base_ref}"
                found.problems.append(Problem(where, message))
        return {**{k: v for k, v in inherited.items() if k not in remove}, **add}
    if isinstance(own, list) and isinstance(inherited, list) and inherited:
        written = {_same(v) for v in own if not isinstance(v, dict | list)}
        dropped = [v for v in inherited if _same(v) not in written]
        if len(dropped) * 2 > len(inherited):
            message = (
                f"deze lijst vervangt die van {base_ref} en laat {len(dropped)} van de "
                f"{len(inherited)} waarden weg; wilt u waarden toevoegen, schrijf dan "
                "{add: [...]}"
            )
            found.warnings.append(Problem(where, message))
    return own


def _merge_onto(
    base: dict[str, Any],
    raw: dict[str, Any],
    changes: dict[str, Any],
    found: _Found,
    base_ref: str,
) -> dict[str, Any]:
    """A variant (without ``extends`` and its change keys) merged onto its base."""
    raw = _spec_names(raw, found, base)
    parts = ("parameters", "texts", "rules", "example_base", "examples", "facts")
    merged = {**base, **{k: v for k, v in raw.items() if k not in parts}}
    if "facts" in raw:
        merged["facts"] = _merged_facts(base.get("facts"), raw["facts"], found, base_ref)
    own_parameters = raw.get("parameters", {})
    inherited_parameters = base.get("parameters", {})
    if not isinstance(own_parameters, dict):
        found.problems.append(Problem("parameters", "geef een object met namen en waarden"))
    elif isinstance(inherited_parameters, dict):
        merged["parameters"] = {
            **inherited_parameters,
            **{
                k: _composed(f"parameters.{k}", inherited_parameters.get(k), v, found, base_ref)
                for k, v in own_parameters.items()
            },
        }
    for part in ("texts", "example_base"):
        own = raw.get(part, {})
        if not isinstance(own, dict):
            found.problems.append(Problem(part, "geef een object met namen en waarden"))
        elif own:
            merged[part] = _merge_mapping(base.get(part) or {}, own)
    merged["rules"] = _merged_rules(base.get("rules", []), raw, changes, found, base_ref)
    merged["examples"] = _merged_examples(base.get("examples", []), raw, changes, found)
    return merged


def _merged_facts(inherited: Any, own: Any, found: _Found, base_ref: str) -> Any:
    """A variant's facts section on the inherited one: a fact it names replaces the inherited
    definition, except that ``criteria: {add: {...}, remove: [...]}`` changes the inherited
    criteria and keeps the rest (``declared`` only changes when the variant names it)."""
    if not isinstance(own, dict):
        return own  # the check of the merged policy says what is wrong with it
    result = dict(inherited) if isinstance(inherited, dict) else {}
    for name, spec in own.items():
        criteria = spec.get("criteria") if isinstance(spec, dict) else None
        composing = isinstance(criteria, dict) and criteria and set(criteria) <= {"add", "remove"}
        # a fact the base leaves out is derived as in the built-in policy
        old = result.get(name, _default_facts().get(name))
        if not composing or not isinstance(old, dict):
            result[name] = spec
            continue
        where = f"facts.{name}.criteria"
        changed = _composed(where, old.get("criteria") or {}, criteria, found, base_ref)
        result[name] = {**old, **spec, "criteria": changed}
    return result


# The parameter names of the policy spec (spec/policy.md) as shorthand for the general forms:
# the transition period it names, in years or months.
SPEC_PERIODS = {
    "transition_years": ("existing_use", "years"),
    "exit_plan_months": ("exit_plan", "months"),
}


def _spec_names(raw: dict[str, Any], found: _Found, base: dict[str, Any] | None) -> dict[str, Any]:
    """A file (or a variant, on its merged ``base``) with the spec's names written out in the
    general forms: ``transition_years``, ``exit_plan_months`` and ``material_criteria``
    (docs/policy-language.md, "Namen uit de specificatie"). Both forms for one thing is a
    problem naming both keys, since neither can silently win."""
    parameters = raw.get("parameters")
    if not isinstance(parameters, dict) or not (
        set(parameters) & {*SPEC_PERIODS, "material_criteria"}
    ):
        return raw
    parameters = dict(parameters)
    raw = {**raw, "parameters": parameters}
    for key, (period, unit) in SPEC_PERIODS.items():
        if key in parameters:
            _spec_period(parameters, key, period, unit, found, variant=base is not None)
    if "material_criteria" in parameters:
        _spec_criteria(raw, parameters.pop("material_criteria"), found, base)
    return raw


def _spec_period(
    parameters: dict[str, Any], key: str, period: str, unit: str, found: _Found, *, variant: bool
) -> None:
    value = parameters.pop(key)
    where = f"parameters.{key}"
    if isinstance(value, bool) or not isinstance(value, int):
        what = "jaren, zoals 4" if unit == "years" else "maanden, zoals 12"
        found.problems.append(Problem(where, f"geef een heel aantal {what}"))
        return
    periods: Any = parameters.get("transition_periods")
    # a variant's {add: ..., remove: [...]} on the inherited periods, or a whole object
    composing = isinstance(periods, dict) and bool(periods) and set(periods) <= {"add", "remove"}
    named = periods.get("add", {}) if composing else periods
    removed = periods.get("remove", []) if composing else []
    if (isinstance(named, dict) and period in named) or (
        isinstance(removed, list) and period in removed
    ):
        message = (
            f"{key} en transition_periods.{period} noemen dezelfde termijn; "
            "schrijf er één van de twee"
        )
        found.problems.append(Problem(where, message))
        return
    entry = {period: {unit: value}}
    if periods is None:
        # a variant changes one period and keeps the inherited others
        parameters["transition_periods"] = {"add": entry} if variant else entry
    elif composing and isinstance(named, dict):
        parameters["transition_periods"] = {**periods, "add": {**named, **entry}}
    elif isinstance(periods, dict) and not composing:
        parameters["transition_periods"] = {**periods, **entry}
    # otherwise the schema says what is wrong with transition_periods


def _spec_criterion(name: str) -> dict[str, Any]:
    return {"field": name, "op": "is-true"}


def _spec_criteria(
    raw: dict[str, Any], value: Any, found: _Found, base: dict[str, Any] | None
) -> None:
    """``material_criteria: [core_task, ...]`` as ``facts.material.criteria``: one criterion
    per yes/no field, named after it; in a variant also ``{add: [...], remove: [...]}``."""
    where = "parameters.material_criteria"
    facts = raw.get("facts")
    if isinstance(facts, dict) and "material" in facts:
        message = (
            "material_criteria en facts.material noemen allebei materieel gebruik; "
            "schrijf er één van de twee"
        )
        found.problems.append(Problem(where, message))
        return

    def names(items: Any) -> list[str] | None:
        if isinstance(items, list) and all(isinstance(v, str) for v in items):
            return items
        found.problems.append(
            Problem(where, "geef een lijst met namen van ja/nee-velden, zoals [core_task]")
        )
        return None

    composing = isinstance(value, dict) and bool(value) and set(value) <= {"add", "remove"}
    if composing and base is not None:
        add, remove = names(value.get("add", [])), names(value.get("remove", []))
        if add is None or remove is None:
            return
        spec: dict[str, Any] = {
            "criteria": {"add": {n: _spec_criterion(n) for n in add}, "remove": remove}
        }
    else:
        chosen = names(value)
        if chosen is None:
            return
        inherited = (base or {}).get("facts")
        old = inherited.get("material") if isinstance(inherited, dict) else None
        if not isinstance(old, dict):
            old = _default_facts().get("material")
        declared = old.get("declared") if isinstance(old, dict) else None
        spec = {"criteria": {n: _spec_criterion(n) for n in chosen}}
        if declared is not None:
            spec["declared"] = declared  # the filled-in field still decides, as in the base
    raw["facts"] = {**(facts if isinstance(facts, dict) else {}), "material": spec}


# Parts merged key by key one level down; any other value (a condition, a transition) is
# replaced whole, since half of one condition and half of another mean nothing.
_MERGED_PARTS = frozenset({"text", "organisation", "registration"})


def _merge_mapping(inherited: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    result = dict(inherited)
    for key, value in own.items():
        old = result.get(key)
        both = key in _MERGED_PARTS and isinstance(old, dict) and isinstance(value, dict)
        result[key] = {**old, **value} if both else value  # type: ignore[dict-item]
    return result


def _id_list(value: Any, key: str, found: _Found) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        found.problems.append(
            Problem(key, "geef een lijst met namen, zoals [cb2026.4.key-custody]")
        )
        return []
    return value


def _merged_rules(
    inherited: Any, raw: dict[str, Any], changes: dict[str, Any], found: _Found, base_ref: str
) -> list[Any]:
    rules = {r.get("id"): r for r in inherited if isinstance(r, dict)}
    for rule_id in _id_list(changes.get("remove_rules", []), "remove_rules", found):
        if rules.pop(rule_id, None) is None:
            message = f"regel {rule_id} staat niet in {base_ref}"
            found.problems.append(Problem("remove_rules", message))
    changed = changes.get("change_rules", [])
    if not isinstance(changed, list):
        found.problems.append(Problem("change_rules", "geef een lijst met regels"))
        changed = []
    for index, change in enumerate(changed):
        changed_id = change.get("id") if isinstance(change, dict) else None
        if changed_id not in rules:
            what = f"regel {changed_id}" if changed_id else f"nummer {index + 1}"
            message = (
                f"{what} staat niet in {base_ref} (of is weggehaald); een nieuwe regel "
                "hoort onder rules"
            )
            found.problems.append(Problem("change_rules", message))
            continue
        rules[changed_id] = _merge_mapping(rules[changed_id], change)
    own_rules = raw.get("rules", [])
    if not isinstance(own_rules, list):
        found.problems.append(Problem("rules", "geef een lijst met regels"))
        own_rules = []
    added: list[Any] = []
    for rule in own_rules:
        own_id = rule.get("id") if isinstance(rule, dict) else None
        if own_id is not None and own_id in rules:
            message = (
                f"staat al in {base_ref}; wijzig haar onder change_rules, of haal haar eerst "
                "weg met remove_rules"
            )
            found.problems.append(Problem(f"regel {own_id}", message))
            continue
        added.append(rule)
    found.inherited_rules = len(rules)
    return [*rules.values(), *added]


def _merged_examples(
    inherited: Any, raw: dict[str, Any], changes: dict[str, Any], found: _Found
) -> list[Any]:
    """The base's examples, by name: the variant's own replace one with the same name."""
    examples = {e.get("name"): e for e in inherited or [] if isinstance(e, dict)}
    for name in _id_list(changes.get("remove_examples", []), "remove_examples", found):
        if examples.pop(name, None) is None:
            found.problems.append(Problem("remove_examples", f"voorbeeld '{name}' bestaat niet"))
    own = raw.get("examples", [])
    if not isinstance(own, list):
        found.problems.append(Problem("examples", "geef een lijst met voorbeelden"))
        own = []
    result = [
        e
        for name, e in examples.items()
        if name not in {o.get("name") for o in own if isinstance(o, dict)}
    ]
    return [*result, *own]


# Pydantic's location parts that are not keys of the file (union members, validators).
def _key_part(part: int | str) -> bool:
    return isinstance(part, int) or (part[:1].islower() and "[" not in part and "(" not in part)


def _where(loc: tuple[int | str, ...], raw: Mapping[str, Any], inherited: int = 0) -> str:
    loc = tuple(p for p in loc if _key_part(p))
    parts: list[str] = []
    for name, label in (("rules", "regel"), ("examples", "voorbeeld")):
        if len(loc) >= 2 and loc[0] == name and isinstance(loc[1], int):
            items = raw.get(name, [])
            item = items[loc[1]] if loc[1] < len(items) else {}
            key = (
                item.get("name" if name == "examples" else "id") if isinstance(item, dict) else None
            )
            copy = _copy(_keys(raw, name), loc[1], inherited if name == "rules" else 0)
            parts.append(f"{label} {key}{copy}" if key else f"{label} nummer {loc[1] + 1}")
            loc = loc[2:]
            break
    if loc:
        parts.append(".".join(str(p) for p in loc))
    return " ".join(parts)


_PATTERNS = {
    "id": "kleine letters, cijfers en streepjes, zoals mijn-variant",
    "rule id": "kleine letters, cijfers en streepjes in delen met een punt ertussen, zoals "
    "cb2026.4.location",
    "period": "kleine letters, cijfers en _, zoals existing_use",
    "transition_periods": "kleine letters, cijfers en _, zoals existing_use",
    "section": "tekst zonder spaties aan het begin of eind",
    "basis": "tekst zonder spaties aan het begin of eind",
}


def _dutch(error: Mapping[str, Any]) -> str:
    """Pydantic's error in Dutch, with the shapes of this file's own names."""
    if error.get("type") == "string_pattern_mismatch":
        keys = [p for p in error.get("loc", ()) if isinstance(p, str) and _key_part(p)]
        key = keys[-1] if keys else ""
        key = "rule id" if keys == ["rules", "id"] else key
        shape = _PATTERNS.get(key, "de vorm uit docs/policy-language.md")
        return f"{error.get('input')!r} heeft niet de goede vorm; schrijf {shape}"
    return dutch_message(error)


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


def _text_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """The places in the texts and citations that cannot be filled (read from the file, so they
    are found next to problems of any other kind)."""
    problems: list[Problem] = []
    texts = raw.get("texts")
    for name, template in texts.items() if isinstance(texts, dict) else ():
        if isinstance(template, str):
            known = CITATION_PLACEHOLDERS if name == "section" else TEXT_PLACEHOLDERS
            problems += _place_problems(f"texts.{name}", template, known)
    for rule in _rule_dicts(raw):
        rule_id = rule.get("id")
        citation = rule.get("citation")
        if isinstance(citation, str):
            where = f"regel {rule_id} citation"
            problems += _place_problems(where, citation, RULE_CITATION_PLACEHOLDERS)
        text = rule.get("text")
        for part in ("title", "problem", "action"):
            template = text.get(part) if isinstance(text, dict) else None
            if isinstance(template, str):
                where = f"regel {rule_id} text.{part}"
                problems += _place_problems(where, template, frozenset(placeholders()))
    return problems


def _rule_dicts(raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    rules = raw.get("rules")
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []


def _keys(raw: Mapping[str, Any], name: str) -> list[Any]:
    """The id (rules) or name (examples) of each item, None for an item without one."""
    items = raw.get(name)
    key = "name" if name == "examples" else "id"
    return [i.get(key) if isinstance(i, dict) else None for i in items or []]


def _copy(keys: list[Any], index: int, inherited: int) -> str:
    """'' for an id that occurs once; else which copy this is and where it stands, so that two
    copies can be told apart (' (de 2e keer, positie 7)'); a variant counts its own rules."""
    value = keys[index]
    if value is None or keys.count(value) < 2:
        return ""
    nth = keys[: index + 1].count(value)
    own = index - inherited
    where = f", positie {own + 1}" if own >= 0 else ""
    return f" (de {nth}e keer{where})"


def _duplicate_problems(raw: Mapping[str, Any], inherited: int) -> list[Problem]:
    """Every id and example name once: a second one would silently win over the first. Each
    copy after the first is named with its position."""
    problems = []
    for name, key, label in (("rules", "id", "regel"), ("examples", "name", "voorbeeld")):
        keys = _keys(raw, name) if isinstance(raw.get(name), list) else []
        skip = inherited if name == "rules" else 0
        for index, value in enumerate(keys):
            if not isinstance(value, str) or keys.index(value) == index:
                continue
            message = (
                f"staat er {keys.count(value)} keer in; elk {key} mag één keer voorkomen "
                "(in een variant: wijzig een geërfde regel onder change_rules)"
            )
            problems.append(Problem(f"{label} {value}{_copy(keys, index, skip)}", message))
    return problems


def _period_problems(raw: Mapping[str, Any]) -> list[Problem]:
    """A rule's transition.period must name one of parameters.transition_periods."""
    parameters = raw.get("parameters")
    periods = parameters.get("transition_periods") if isinstance(parameters, dict) else None
    if not isinstance(periods, dict):
        return []
    problems = []
    for rule in _rule_dicts(raw):
        transition = rule.get("transition")
        period = transition.get("period") if isinstance(transition, dict) else None
        if isinstance(period, str) and period not in periods:
            message = (
                f"onbekende overgangstermijn '{period}'; kies uit {', '.join(periods)} "
                "(parameters.transition_periods)"
            )
            problems.append(Problem(f"regel {rule.get('id')} transition.period", message))
    return problems


def _condition_parameters(raw: Mapping[str, Any], spec: PolicyFile | None) -> dict[str, Any]:
    """The parameters conditions refer to: checked ones, else as written (to still check the
    conditions of a file whose parameters have a problem of their own)."""
    if spec is not None:
        return dict(spec.parameters)
    parameters = raw.get("parameters")
    if not isinstance(parameters, dict):
        return {}
    try:
        return dict(Parameters.model_validate(parameters))
    except ValidationError:
        return dict(parameters)


def _conditions(
    raw: Mapping[str, Any], parameters: Mapping[str, Any], problems: list[Problem]
) -> dict[str, tuple[Node | None, Node]]:
    """Every rule's parsed conditions; a problem for each one that cannot be used."""
    parsed: dict[str, tuple[Node | None, Node]] = {}
    for rule in _rule_dicts(raw):
        rule_id = rule.get("id")
        applies_raw, finding_raw = rule.get("applies_when"), rule.get("finding_when")
        try:
            applies = (
                parse(applies_raw, f"regel {rule_id} applies_when", parameters)
                if isinstance(applies_raw, dict)
                else None
            )
            if not isinstance(finding_raw, dict):
                continue  # the schema says what is wrong with it
            finding = parse(finding_raw, f"regel {rule_id} finding_when", parameters)
        except ConditionError as exc:
            problems.append(Problem("", str(exc)))
            continue
        if isinstance(rule_id, str):
            parsed[rule_id] = (applies, finding)
    return parsed


def _canonical(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_canonical(v) for v in value)
    return value


def revision_of(spec: PolicyFile) -> str:
    """SHA-256 over the canonical JSON of the checked, merged policy. The examples are left out:
    they test the policy but change no verdict."""
    canonical = _canonical(spec.model_dump(mode="python", exclude={"examples", "example_base"}))
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
    found = _Found()
    base_ref = raw.pop("extends", None)
    changes = {key: raw.pop(key) for key in VARIANT_KEYS if key in raw}
    if base_ref is not None:
        known = builtin_policy_ids()
        if not isinstance(base_ref, str) or base_ref not in known:
            message = (
                f"'{base_ref}' is geen ingebouwd beleid; een geüpload beleid bouwt alleen voort "
                f"op een ingebouwd beleid: kies uit {', '.join(known)}"
            )
            raise InputError(filename, [Problem("extends", message)])
        base = _merged(resolve_policy_path(base_ref), found)
        raw = _merge_onto(base, raw, changes, found, base_ref)
    else:
        for key in changes:
            message = f"{key} hoort bij een variant: noem ook het beleid in extends"
            found.problems.append(Problem(key, message))
        raw = _spec_names(raw, found, None)
    rules = raw.get("rules")
    if isinstance(rules, list) and len(rules) > MAX_UPLOADED_RULES:
        message = (
            f"het beleid heeft {len(rules)} regels; hier mogen er hoogstens "
            f"{MAX_UPLOADED_RULES} zijn. Toets zo'n beleid met cloudtoets op uw eigen computer"
        )
        raise InputError(filename, [Problem("rules", message)])
    return _checked(raw, filename, Path(filename), found)


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
    found = _Found()
    return _checked(_merged(path, found), str(path), path, found)


def _checked(raw: dict[str, Any], source: str, origin: Path, found: _Found) -> Policy:
    """The merged policy checked as a whole: the schema, the texts, every condition, the ids
    and periods; every problem at once."""
    problems = list(found.problems)
    spec: PolicyFile | None
    try:
        spec = PolicyFile.model_validate(raw)
    except ValidationError as exc:
        spec = None
        errors = exc.errors()
        # a list whose items fail also counts as too short; the items' own problems say it
        inner = {tuple(e["loc"][:-1]) for e in errors} | {tuple(e["loc"][:-2]) for e in errors}
        errors = [e for e in errors if e["type"] != "too_short" or tuple(e["loc"]) not in inner]
        inherited = found.inherited_rules
        problems += [Problem(_where(e["loc"], raw, inherited), _dutch(e)) for e in errors]
    problems += _duplicate_problems(raw, found.inherited_rules)
    problems += _period_problems(raw)
    problems += _text_problems(raw)
    # a condition that reads a parameter with a problem of its own would only repeat it
    bad = {
        f"(parameter {p.where.split('.')[1]})"
        for p in problems
        if p.where.count(".") >= 1 and p.where.startswith("parameters.")
    }
    found_in_conditions: list[Problem] = []
    conditions = _conditions(raw, _condition_parameters(raw, spec), found_in_conditions)
    problems += [p for p in found_in_conditions if not any(b in p.message for b in bad)]
    fact_conditions, fact_problems = parse_fact_conditions(
        raw.get("facts"), _default_facts(), _condition_parameters(raw, spec)
    )
    problems += [Problem("", message) for message in fact_problems]
    if problems or spec is None:
        raise InputError(source, problems)
    rules: list[Rule] = []
    for spec_rule in spec.rules:
        applies, finding = conditions[spec_rule.id]
        facts = uses_facts(finding) | (uses_facts(applies) if applies is not None else set())
        rules.append(
            Rule(
                id=spec_rule.id,
                section=spec_rule.section,
                basis=spec_rule.basis,
                citation=spec_rule.citation,
                severity=spec_rule.severity,
                transition=spec_rule.transition,
                applies_when=applies,
                finding_when=finding,
                justification_requires=spec_rule.justification_requires,
                title=spec_rule.text.title,
                problem=spec_rule.text.problem,
                action=spec_rule.text.action,
                facts=frozenset(facts),
            )
        )
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
        example_base=spec.example_base,
        examples=spec.examples,
        warnings=tuple(found.warnings),
    )
