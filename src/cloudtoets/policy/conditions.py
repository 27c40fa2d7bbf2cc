"""The condition language of policy files: parse, check and translate to Python.

A condition is ``{all: [...]}``, ``{any: [...]}``, ``{not: C}``, or a predicate
``{field|fact: NAME, op: OP, value: V | param: P}``. A bare ``{fact: NAME}`` on a yes/no fact
means "is true". Fields are registration fields (``exit_plan.planned.lead_time_days``) or
organisation fields (``organisation.critical_entity``); facts are values the engine derives
(``public_cloud``, ``jurisdictions`` ...). Every name, operator and operand is checked against the
domain model when the policy is loaded, so a mistake is reported before anything is evaluated.

Checked conditions are translated once into a Python expression (see ``to_python``): evaluating
a registration then runs straight-line code instead of walking the condition tree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.domain.fields import FieldType, Kind, describe_fields
from cloudtoets.domain.knowledge import NEVER_EMPTY, NONE_CODE, NONE_CODED, QUESTIONS
from cloudtoets.domain.model import Organisation, Registration
from cloudtoets.policy.facts import facts as registered_facts


class ConditionError(ValueError):
    """A condition that cannot be used; the message is Dutch and says where."""


# --- the names a condition may use -------------------------------------------------------------


class _FactTypes(Mapping[str, FieldType]):
    """The type of every registered fact (``policy/facts.py``), read when a condition is parsed."""

    def __getitem__(self, name: str) -> FieldType:
        return registered_facts()[name].type

    def __iter__(self) -> Iterator[str]:
        return iter(registered_facts())

    def __len__(self) -> int:
        return len(registered_facts())


FACTS: Mapping[str, FieldType] = _FactTypes()

FIELDS: Mapping[str, FieldType] = {
    **describe_fields(Registration),
    **{f"organisation.{k}": v for k, v in describe_fields(Organisation).items()},
}

# --- operators ---------------------------------------------------------------------------------

_PRESENCE = ("is-set", "is-missing")
OPERATORS_BY_KIND: Mapping[Kind, tuple[str, ...]] = {
    "bool": ("is-true", "is-false"),
    "text": (*_PRESENCE, "eq", "ne", "in", "not-in"),
    "country": (*_PRESENCE, "eq", "ne", "in", "not-in"),
    "enum": (*_PRESENCE, "eq", "ne", "in", "not-in"),
    "int": (*_PRESENCE, "eq", "ne", "lt", "le", "gt", "ge", "in", "not-in"),
    "date": (*_PRESENCE, "eq", "lt", "le", "gt", "ge", "months-before-as-of"),
    "list": (
        *_PRESENCE,
        "contains",
        "intersects",
        "disjoint-from",
        "subset-of",
        "not-subset-of",
    ),
    "object": _PRESENCE,
}
_UNARY = frozenset({"is-true", "is-false", "is-set", "is-missing"})
_SET_OPS = frozenset({"intersects", "disjoint-from", "subset-of", "not-subset-of", "in", "not-in"})


# --- the parsed tree ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class All:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class AnyOf:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class Predicate:
    name: str  # field path or fact name
    is_fact: bool
    type: FieldType
    op: str
    operand: Any = None  # a checked literal (frozenset for set operands) or None
    param: str | None = None


Node = All | AnyOf | Not | Predicate


# How deep all/any/not may nest. The policies nest three levels; the engine turns a condition
# into one Python expression, and Python's parser refuses about 200 nested brackets.
MAX_DEPTH = 16


def parse(raw: Any, where: str, parameters: Mapping[str, Any], depth: int = 0) -> Node:
    """Parse and check one condition; ``where`` names its place for error messages."""
    if depth > MAX_DEPTH:
        raise ConditionError(
            f"{where}: de voorwaarde is dieper genest dan {MAX_DEPTH} niveaus (all, any, not); "
            "schrijf haar eenvoudiger"
        )
    if not isinstance(raw, Mapping) or not raw:
        raise ConditionError(f"{where}: een voorwaarde is een object, zoals {{all: [...]}}")
    keys = set(raw)
    for combinator in ("all", "any"):
        if combinator in keys:
            if keys != {combinator}:
                raise ConditionError(f"{where}: '{combinator}' staat niet alleen: {sorted(keys)}")
            items = raw[combinator]
            if not isinstance(items, list) or not items:
                raise ConditionError(f"{where}.{combinator}: geef een niet-lege lijst")
            nodes = tuple(
                parse(item, f"{where}.{combinator}[{i}]", parameters, depth + 1)
                for i, item in enumerate(items)
            )
            return All(nodes) if combinator == "all" else AnyOf(nodes)
    if "not" in keys:
        if keys != {"not"}:
            raise ConditionError(f"{where}: 'not' staat niet alleen: {sorted(keys)}")
        return Not(parse(raw["not"], f"{where}.not", parameters, depth + 1))
    return _parse_predicate(raw, where, parameters)


def _parse_predicate(raw: Mapping[str, Any], where: str, parameters: Mapping[str, Any]) -> Node:
    allowed = {"field", "fact", "op", "value", "param"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConditionError(f"{where}: onbekende sleutel(s) {', '.join(unknown)}")
    if ("field" in raw) == ("fact" in raw):
        raise ConditionError(f"{where}: noem precies één 'field' of 'fact'")
    is_fact = "fact" in raw
    name = raw["fact"] if is_fact else raw["field"]
    table = FACTS if is_fact else FIELDS
    if not isinstance(name, str) or name not in table:
        what = "feit" if is_fact else "veld"
        raise ConditionError(f"{where}: onbekend {what} '{name}'; bekend zijn: {', '.join(table)}")
    ftype = table[name]
    op = raw.get("op")
    if op is not None and not isinstance(op, str):
        raise ConditionError(f"{where}: 'op' is de naam van een operator, zoals equals")
    if op is None:
        if ftype.kind != "bool":
            raise ConditionError(f"{where}: '{name}' is geen ja/nee-waarde; geef een 'op'")
        op = "is-true"
    if op not in OPERATORS_BY_KIND[ftype.kind]:
        raise ConditionError(
            f"{where}: operator '{op}' past niet bij '{name}' ({ftype.kind}); "
            f"gebruik een van {', '.join(OPERATORS_BY_KIND[ftype.kind])}"
        )
    has_value, has_param = "value" in raw, "param" in raw
    if op in _UNARY:
        if has_value or has_param:
            raise ConditionError(f"{where}: operator '{op}' neemt geen 'value' of 'param'")
        return Predicate(name, is_fact, ftype, op)
    if has_value == has_param:
        raise ConditionError(f"{where}: operator '{op}' vraagt precies één 'value' of 'param'")
    if has_param:
        param = raw["param"]
        if not isinstance(param, str) or param not in parameters:
            raise ConditionError(
                f"{where}: onbekende parameter '{param}'; bekend zijn: {', '.join(parameters)}"
            )
        operand = _check_operand(parameters[param], ftype, op, f"{where} (parameter {param})")
        return Predicate(name, is_fact, ftype, op, operand, param)
    operand = _check_operand(raw["value"], ftype, op, where)
    return Predicate(name, is_fact, ftype, op, operand)


def _check_scalar(value: Any, kind: Kind | None, enum: type[StrEnum] | None, where: str) -> Any:
    ok: bool
    if kind == "enum" and enum is not None:
        ok = isinstance(value, str) and value in enum._value2member_map_
        hint = f"kies uit {', '.join(enum._value2member_map_)}"
    elif kind == "country":
        ok = isinstance(value, str) and value.upper() in ISO_COUNTRY_CODES
        value = value.upper() if ok else value
        hint = "gebruik een ISO 3166-1 alpha-2 landcode"
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
        hint = "geef een geheel getal"
    elif kind == "date":
        ok = isinstance(value, dt.date)
        hint = "geef een datum JJJJ-MM-DD"
    else:
        ok = isinstance(value, str)
        hint = "geef een tekst"
    if not ok:
        raise ConditionError(f"{where}: waarde {value!r} past niet; {hint}")
    return value


def _check_operand(value: Any, ftype: FieldType, op: str, where: str) -> Any:
    if op == "months-before-as-of":
        return _check_scalar(value, "int", None, where)
    if ftype.kind == "list":
        if op == "contains":
            return _check_scalar(value, ftype.item, ftype.enum, where)
        if not isinstance(value, list | tuple | set | frozenset):
            raise ConditionError(f"{where}: operator '{op}' vraagt een lijst")
        return frozenset(_check_scalar(v, ftype.item, ftype.enum, where) for v in value)
    if op in _SET_OPS:
        if not isinstance(value, list | tuple | set | frozenset):
            raise ConditionError(f"{where}: operator '{op}' vraagt een lijst")
        return frozenset(_check_scalar(v, ftype.kind, ftype.enum, where) for v in value)
    return _check_scalar(value, ftype.kind, ftype.enum, where)


def uses_facts(node: Node) -> set[str]:
    """The facts a condition reads (to order rules that need late facts)."""
    return _names(node, facts=True)


def uses_fields(node: Node) -> set[str]:
    """The fields a condition reads (``exit_plan.planned.lead_time_days`` ...)."""
    return _names(node, facts=False)


def reads_under(node: Node | None, prefix: str) -> bool:
    """Whether a condition reads ``prefix`` or a field below it (``exit_plan`` reads
    ``exit_plan.planned.lead_time_days``)."""
    return node is not None and any(
        name == prefix or name.startswith(prefix + ".") for name in uses_fields(node)
    )


def _names(node: Node, facts: bool) -> set[str]:
    match node:
        case All(items) | AnyOf(items):
            return set().union(*(_names(i, facts) for i in items))
        case Not(item):
            return _names(item, facts)
        case Predicate(name=name, is_fact=is_fact) if is_fact == facts:
            return {name}
        case _:
            return set()


# --- translation to Python ---------------------------------------------------------------------


class Emitter:
    """Collects the constants a translated condition refers to."""

    def __init__(self) -> None:
        self.constants: dict[str, Any] = {}
        self.months_thresholds: dict[str, int] = {}  # name -> months before as-of
        self.objects: dict[str, str] = {}  # nested object path -> local name, read once per call
        # fact field -> (local name, statement that reads it and gives up when it is unknown)
        self.facts: dict[str, tuple[str, str]] = {}
        self._temp = 0

    def constant(self, value: Any) -> str:
        for name, existing in self.constants.items():
            if type(existing) is type(value) and existing == value:
                return name
        name = f"_c{len(self.constants)}"
        self.constants[name] = value
        return name

    def threshold(self, months: int) -> str:
        name = f"_before_{months}m"
        self.months_thresholds[name] = months
        return name

    def branch(self) -> Emitter:
        """An emitter for code in a block of its own: the same constants and thresholds, but its
        own reads of objects and fact fields, which the block makes itself (``prelude``,
        ``facts``) so that a read there does not stand in for one elsewhere."""
        branch = Emitter()
        branch.constants, branch.months_thresholds = self.constants, self.months_thresholds
        return branch

    def temp(self) -> str:
        self._temp += 1
        return f"_v{self._temp}"

    def nested(self, path: str) -> str:
        """The local that holds the nested object at ``path`` (None when any parent is)."""
        name = self.objects.get(path)
        if name is None:
            parent, _, _ = path.rpartition(".")
            if parent:
                self.nested(parent)
            name = self.objects[path] = "_o_" + path.replace(".", "_")
        return name

    def fact(self, path: str) -> str:
        """The local that holds a known fact field (``organisation.x`` included).

        The translated code is the fast path for registrations whose facts are known: the read
        raises ``_Unknown`` for an unknown value, and the registration is then evaluated with
        three truth values (unknowns.md) instead.
        """
        found = self.facts.get(path)
        if found is None:
            name = "_f_" + path.replace(".", "_")
            owner = "o." + path.removeprefix("organisation.") if "." in path else "r." + path
            test = (
                f"not ({name} := {owner})"
                if path in NEVER_EMPTY
                else f"({name} := {owner}) is None"
            )
            found = self.facts[path] = (name, f"if {test}: raise _Unknown")
        return found[0]

    def prelude(self, indent: str = "    ") -> list[str]:
        """Statements that read the nested objects once, parents first."""
        lines = []
        for path, name in self.objects.items():
            parent, _, attribute = path.rpartition(".")
            if parent:
                outer = self.objects[parent]
                lines.append(f"{indent}{name} = None if {outer} is None else {outer}.{attribute}")
            else:
                lines.append(f"{indent}{name} = r.{path}")
        return lines


def to_python(node: Node, emit: Emitter) -> str:
    """A Python expression over ``r`` (registration), ``o`` (organisation) and fact locals."""
    match node:
        case All(items):
            return "(" + " and ".join(to_python(i, emit) for i in items) + ")"
        case AnyOf(items):
            return "(" + " or ".join(to_python(i, emit) for i in items) + ")"
        case Not(item):
            return f"(not {to_python(item, emit)})"
        case Predicate():
            return _predicate(node, emit)
    raise AssertionError(node)


# What a predicate says about a value that is absent because its parent object is missing
# (a registration without exit plan has no exit_plan.last_tested): "absent" is None, False or an
# empty list, so "is-missing" holds and "is-set" does not, and so on.
TRUE_WHEN_ABSENT = frozenset(
    {"is-false", "is-missing", "ne", "not-in", "disjoint-from", "subset-of"}
)


def _predicate(p: Predicate, emit: Emitter) -> str:
    if p.is_fact:
        return _test(p, p.name, emit)
    if p.name in QUESTIONS:
        return _test(p, emit.fact(p.name), emit)
    if p.name.startswith("organisation."):
        return _test(p, "o." + p.name.removeprefix("organisation."), emit)
    parent, _, attribute = p.name.rpartition(".")
    if not parent:
        return _test(p, "r." + p.name, emit)
    holder = emit.nested(parent)
    inner = _test(p, f"{holder}.{attribute}", emit)
    if p.op in TRUE_WHEN_ABSENT:
        return f"({holder} is None or {inner})"
    return f"({holder} is not None and {inner})"


def _test(p: Predicate, value: str, emit: Emitter) -> str:
    """The predicate on a value expression that is always reachable."""
    kind, op = p.type.kind, p.op
    # Yes/no values are validated booleans, so plain truth tests are exact and cheaper than
    # identity checks.
    if op == "is-true":
        return f"({value})"
    if op == "is-false":
        return f"(not {value})"
    if op in ("is-set", "is-missing"):
        if kind == "list" and p.type.item == "text":
            # a list of texts counts as filled in when one item is more than white space;
            # map over the C method instead of a generator: no frame per test
            test = f"any(map({emit.constant(str.strip)}, {value}))"
        elif kind == "list":
            test = f"bool({value})"
        elif kind == "text":
            v = emit.temp()
            test = f"(({v} := {value}) is not None and {v}.strip() != '')"
        elif p.name in NONE_CODED:
            test = f"({value} != {NONE_CODE!r})"  # a known fact: set unless known to be none
        else:
            test = f"({value} is not None)"
        return test if op == "is-set" else f"(not {test})"
    if op == "months-before-as-of":
        v = emit.temp()
        return f"(({v} := {value}) is not None and {v} < {emit.threshold(p.operand)})"
    c = emit.constant(p.operand)
    if kind == "list":
        if op == "contains":
            return f"({c} in {value})"
        # the set's bound method as the constant: one attribute look-up less per test
        sets = emit.constants[c]
        if op in ("intersects", "disjoint-from"):
            test = f"{emit.constant(sets.isdisjoint)}({value})"
            return f"(not {test})" if op == "intersects" else test
        test = f"{emit.constant(sets.issuperset)}({value})"
        return test if op == "subset-of" else f"(not {test})"
    if op in ("in", "not-in"):
        return f"({value} {'in' if op == 'in' else 'not in'} {c})"
    if op in ("eq", "ne"):
        return f"({value} {'==' if op == 'eq' else '!='} {c})"
    symbol = {"lt": "<", "le": "<=", "gt": ">", "ge": ">="}[op]
    v = emit.temp()
    if p.name in NONE_CODED:  # "none" is no number
        return f"(({v} := {value}) != {NONE_CODE!r} and {v} {symbol} {c})"
    return f"(({v} := {value}) is not None and {v} {symbol} {c})"


# --- three-valued translation (unknowns.md) ----------------------------------------------------
#
# The same conditions as expressions whose value is True, False or None (unknown), under
# Kleene's strong logic. They read fact fields of ``r`` and ``o`` (None: unknown), evidence fields
# as two-valued, and the derived facts from ``F``: truth values ``F.public_cloud`` ..., the
# jurisdiction chain ``F.chain`` and the possible effective TBB levels ``F.levels``, which the
# helpers ``_chain3`` and ``_levels3`` test. Only registrations with an unknown fact run them.
# How a fact is read follows its entry's ``three_valued`` (``policy/facts.py``).


def to_python3(node: Node, emit: Emitter) -> str:
    """A Python expression over ``r``, ``o`` and ``F`` with value True, False or None."""
    match node:
        case All(items):
            return _kleene([to_python3(i, emit) for i in items], emit, decisive=False)
        case AnyOf(items):
            return _kleene([to_python3(i, emit) for i in items], emit, decisive=True)
        case Not(item):
            v = emit.temp()
            return f"(None if ({v} := {to_python3(item, emit)}) is None else not {v})"
        case Predicate():
            return _predicate3(node, emit)
    raise AssertionError(node)


def _kleene(parts: list[str], emit: Emitter, decisive: bool) -> str:
    """``all`` (decisive False) or ``any`` (decisive True): the decisive value of any part wins,
    else unknown if any part is unknown; parts after a decisive one are not evaluated."""
    names = [emit.temp() for _ in parts]
    unknown = " or ".join(f"{n} is None" for n in names)
    expression = f"(None if {unknown} else {not decisive})"
    for name, part in reversed(list(zip(names, parts, strict=True))):
        expression = f"({decisive} if ({name} := {part}) is {decisive} else {expression})"
    return expression


def _predicate3(p: Predicate, emit: Emitter) -> str:
    c = emit.constant
    if p.is_fact:
        behaviour = registered_facts()[p.name].three_valued
        if behaviour == "truth":
            v = emit.temp()
            return f"(None if ({v} := F.{p.name}) is None else {_test(p, v, emit)})"
        if behaviour == "chain":
            return f"_chain3({c(p)}, F.chain)"
        if behaviour == "levels":
            return f"_levels3({c(p)}, F.levels)"
        return _test(p, f"F.{p.name}", emit)
    if p.name in QUESTIONS:
        owner = "o." + p.name.removeprefix("organisation.") if "." in p.name else "r." + p.name
        v = emit.temp()
        unknown = f"not ({v} := {owner})" if p.name in NEVER_EMPTY else f"({v} := {owner}) is None"
        return f"(None if {unknown} else {_test(p, v, emit)})"
    # evidence: absent is "not recorded", so these are two-valued
    *parents, attribute = p.name.split(".")
    if not parents:
        return _test(p, "r." + p.name, emit)
    holder = "r"
    for parent in parents:
        h = emit.temp()
        holder = (
            f"({h} := r.{parent})"
            if holder == "r"
            else f"(None if ({h} := {holder}) is None else {h}.{parent})"
        )
    h = emit.temp()
    inner = _test(p, f"{h}.{attribute}", emit)
    if p.op in TRUE_WHEN_ABSENT:
        return f"(({h} := {holder}) is None or {inner})"
    return f"(({h} := {holder}) is not None and {inner})"


# --- facts derived by a condition (the policy's ``facts`` section) -----------------------------


@dataclass(frozen=True, slots=True)
class FactCondition:
    """How a fact follows from fields and earlier facts.

    ``when`` is the fact's condition. Written with ``criteria``, the fact is their ``any`` and
    the names of those that hold are its reasons (``material_reasons``); ``declared`` names a
    yes/no field whose filled-in value decides instead (reason ``declared`` when it is yes).
    """

    when: Node
    criteria: tuple[tuple[str, Node], ...] = ()
    declared: str | None = None


def _declared_field(name: Any, where: str) -> str:
    """A yes/no field of the registration or organisation (not in a nested object)."""
    field = FIELDS.get(name) if isinstance(name, str) else None
    flat = isinstance(name, str) and name.removeprefix("organisation.").count(".") == 0
    if field is None or field.kind != "bool" or not flat:
        raise ConditionError(
            f"{where}: '{name}' is geen ja/nee-veld van de registratie of de organisatie, "
            "zoals material"
        )
    return str(name)


def _fact_condition(spec: Mapping[str, Any], where: str, parameters: Mapping[str, Any]) -> Any:
    """The parsed ``when``, or the criteria (and declared field) of one fact's definition."""
    criteria = spec.get("criteria")
    if not isinstance(criteria, Mapping):
        return FactCondition(parse(spec.get("when"), f"{where}.when", parameters))
    named = tuple(
        (str(name), parse(raw, f"{where}.criteria.{name}", parameters))
        for name, raw in criteria.items()
    )
    if not named:
        raise ConditionError(f"{where}.criteria: geef minstens één criterium")
    declared = spec.get("declared")
    return FactCondition(
        AnyOf(tuple(node for _, node in named)),
        named,
        None if declared is None else _declared_field(declared, f"{where}.declared"),
    )


def parse_fact_conditions(
    own: Any, defaults: Mapping[str, Any], parameters: Mapping[str, Any]
) -> tuple[dict[str, FactCondition], list[str]]:
    """The condition of every fact whose registry entry says ``derivation: condition``, in
    registration order, and the problems found (Dutch, with where).

    A fact the policy file does not define takes the definition of ``defaults`` (the built-in
    policy's section). A condition may name the facts the engine derives itself (except the late
    one) and the facts registered before it, so the facts can be derived in registry order.
    """
    problems: list[str] = []
    if own is None:
        own = {}
    if not isinstance(own, Mapping):
        return {}, [
            "facts: geef een object met per feit een voorwaarde, zoals {public_cloud: "
            "{when: {...}}}"
        ]
    registry = registered_facts()
    for name in own:
        entry = registry.get(name)
        if entry is None or entry.derivation != "condition":
            derived = [n for n, f in registry.items() if f.derivation == "condition"]
            problems.append(
                f"facts.{name}: dit feit wordt niet met een voorwaarde afgeleid; "
                f"een voorwaarde kan staan bij {', '.join(derived)}"
            )
    found: dict[str, FactCondition] = {}
    allowed = {n for n, f in registry.items() if f.derivation == "engine" and not f.late}
    for name, entry in registry.items():
        if entry.derivation == "engine":
            continue
        if entry.derivation == "condition":
            spec = own.get(name, defaults.get(name))
            where = f"facts.{name}"
            if not isinstance(spec, Mapping) or (
                spec.get("when") is None and spec.get("criteria") is None
            ):
                problems.append(
                    f"{where}.when: geef de voorwaarde waaruit het feit {name} volgt (of criteria)"
                )
            else:
                try:
                    condition = _fact_condition(spec, where, parameters)
                    later = sorted(uses_facts(condition.when) - allowed)
                    if later:
                        problems.append(
                            f"{where}: noemt {', '.join(later)}; een feit mag alleen feiten "
                            "noemen die eerder zijn afgeleid"
                        )
                    found[name] = condition
                except ConditionError as exc:
                    problems.append(str(exc))
        allowed.add(name)
    return found, problems
