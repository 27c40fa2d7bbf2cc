"""The facts a condition may name and the places a rule text may fill: one registry.

A fact is a value the engine derives for a registration (``public_cloud``, ``jurisdictions``
...). Each entry says once what the rest of the program needs to know of it:

- ``type``: what a condition may test, and with which operators (``policy/conditions.py``);
- ``derivation``: ``condition``, a condition over fields and earlier facts that the policy file
  holds in its ``facts`` section (data, like a rule), or named criteria of which any makes it
  true, with an optional field whose filled-in value decides (``material``); ``python``, a
  small function of the registration and its organisation, registered in the entry itself
  (``derive``, with the fields an unknown value waits for in ``waits``); or ``engine``,
  derived by the engine's own code because it needs the provider chain, several sources or
  the other rules;
- ``three_valued``: how it behaves when facts are unknown (unknowns.md): ``truth`` (yes, no or
  unknown, waiting for fields), ``chain`` (an open set of countries), ``levels`` (the set of
  levels still possible) or ``known`` (never unknown);
- ``placeholders``: the places ``{name}`` a rule text may fill from it, and how to write them.

The compiler (``engine/compiler.py``), the three-valued evaluation (``engine/open.py``), the
condition checker, the messages (``engine/messages.py``), the loader's check of texts and the
list in ``docs/policy-language.md`` all read this registry: a new fact is one entry here (and,
for a condition, a line in the policy's ``facts`` section).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from cloudtoets.domain.countries import countries_in_sentence, join_dutch
from cloudtoets.domain.fields import FieldType
from cloudtoets.domain.vocabulary import (
    CLASSIFICATION_NAMES,
    KEY_REGISTER_NAMES,
    Classification,
    KeyRegister,
    Scope,
)

if TYPE_CHECKING:
    from cloudtoets.policy.model import Policy

Derivation = Literal["condition", "python", "engine"]
ThreeValued = Literal["truth", "chain", "levels", "known"]


@dataclass(frozen=True, slots=True)
class Placeholder:
    """A place ``{name}`` in a rule's ``problem`` or ``action``.

    ``sources`` are Python expressions over the locals of the generated evaluation function
    (``r``, a fact's name, ``unreported``): findings are shared per rule on their values, and a
    message is composed from them alone. ``take`` gives the same values from the message facts
    of ``engine/messages.py`` (``registration``, ``jurisdictions``, ``effective_tbb_level``,
    ``unreported_rules``, ``extra``). ``render(policy)`` returns the function that writes the
    values as Dutch text.
    """

    name: str
    description: str  # Dutch, for docs/policy-language.md
    sources: tuple[str, ...]
    take: Callable[[Any], tuple[object, ...]]
    render: Callable[[Policy], Callable[..., str]]


@dataclass(frozen=True, slots=True)
class Fact:
    name: str
    type: FieldType
    description: str  # Dutch, for docs/policy-language.md
    derivation: Derivation
    three_valued: ThreeValued = "truth"
    # only exists once the other rules have been evaluated (deviation reporting)
    late: bool = False
    # derivation "python": the value, None when unknown; and the fields an unknown waits for
    derive: Callable[[Any, Any], Any] | None = None
    waits: tuple[str, ...] = ()
    placeholders: tuple[Placeholder, ...] = ()

    def __post_init__(self) -> None:
        if (self.derivation == "python") != (self.derive is not None):
            raise ValueError(f"fact {self.name}: derive belongs to derivation 'python' only")


# --- how the built-in places are written -------------------------------------------------------


def _eea(policy: Policy) -> frozenset[str]:
    return policy.parameters.eea


def _allowed_label(policy: Policy) -> Callable[[], str]:
    p = policy.parameters
    allowed, eea = p.allowed_countries, p.eea
    if allowed == eea:
        label = "de EER"
    elif allowed > eea:
        label = "de EER en " + countries_in_sentence(allowed - eea)
    else:
        label = countries_in_sentence(allowed)
    return lambda: label


def _outside_allowed(policy: Policy) -> Callable[..., str]:
    allowed = policy.parameters.allowed_countries

    def render(storage: tuple[str, ...], processing: tuple[str, ...]) -> str:
        return countries_in_sentence(set(storage).union(processing) - allowed)

    return render


def _rule_titles(policy: Policy) -> Callable[..., str]:
    titles = {rule.id: rule.title for rule in policy.rules}
    return lambda rules: join_dutch(f"‘{titles.get(rule, rule)}’" for rule in rules)


def _key_register(register: str | None) -> str:
    """ "de Basisregistratie Personen (BRP)"; an unknown code as itself."""
    if not register:
        return "-"
    member = KeyRegister._value2member_map_.get(register)
    name = KEY_REGISTER_NAMES.get(member) if isinstance(member, KeyRegister) else None
    return f"{name} ({register})" if name else str(register)


def _classification(classification: str | None) -> str:
    """ "Stg. Geheim", "ongerubriceerd"; unknown as "-", an unknown code as itself."""
    if not classification:
        return "-"
    if classification == Classification.NONE:
        return "ongerubriceerd"
    member = Classification._value2member_map_.get(classification)
    name = CLASSIFICATION_NAMES.get(member) if isinstance(member, Classification) else None
    return name or str(classification)


def _months(count: int) -> str:
    return f"{count} {'maand' if count == 1 else 'maanden'}"


_JURISDICTIONS = ("jurisdictions",)


def _take_jurisdictions(facts: Any) -> tuple[object, ...]:
    return (facts.jurisdictions,)


# --- the registry ------------------------------------------------------------------------------

_BUILT_IN: tuple[Fact, ...] = (
    Fact(
        "public_cloud",
        FieldType("bool"),
        "de dienst draait in de publieke cloud (uit het inzetmodel)",
        "condition",
    ),
    Fact(
        "external_cloud",
        FieldType("bool"),
        "de dienst draait niet in eigen beheer van de overheid (uit het inzetmodel)",
        "condition",
    ),
    Fact(
        "material",
        FieldType("bool"),
        "materieel cloudgebruik: zelf zo aangemerkt (`declared`), of anders een van de "
        "`criteria`; de namen van de criteria die gelden zijn de redenen (`material_reasons`)",
        "condition",
    ),
    Fact(
        "existing_use",
        FieldType("bool"),
        "de dienst was al in gebruik vóór de vaststelling van het beleid",
        "condition",
    ),
    Fact(
        "effective_tbb_level",
        FieldType("int"),
        "het zwaarste TBB-niveau van twee bronnen: het opgegeven niveau en dat van de rubricering",
        "engine",
        three_valued="levels",
        placeholders=(
            Placeholder(
                "effective_tbb_level",
                "het effectieve TBB-niveau",
                ("effective_tbb_level",),
                lambda f: (f.effective_tbb_level,),
                lambda policy: lambda level: str(level or "-"),
            ),
        ),
    ),
    Fact(
        "jurisdictions",
        FieldType("list", item="country"),
        "de landen van de keten: van de leverancier, haar moederbedrijven en subverwerkers de "
        "statutaire zetel en, als dat anders is, het land van waaruit ze worden geleid",
        "engine",
        three_valued="chain",
        placeholders=(
            Placeholder(
                "jurisdictions",
                "de landen van de keten",
                _JURISDICTIONS,
                _take_jurisdictions,
                lambda policy: countries_in_sentence,
            ),
            Placeholder(
                "jurisdictions_outside_eea",
                "de landen van de keten buiten de EER (parameter `eea`)",
                _JURISDICTIONS,
                _take_jurisdictions,
                lambda policy: lambda j, eea=_eea(policy): countries_in_sentence(j - eea),
            ),
            Placeholder(
                "jurisdictions_offensive_cyber",
                "de landen van de keten uit `offensive_cyber_states`",
                _JURISDICTIONS,
                _take_jurisdictions,
                lambda policy: (
                    lambda j, states=policy.parameters.offensive_cyber_states: (
                        countries_in_sentence(j & states)
                    )
                ),
            ),
        ),
    ),
    Fact(
        "scope",
        FieldType("enum", enum=Scope),
        "of het beleid verplicht, een advies of niet van toepassing is (uit het organisatietype)",
        "engine",
        three_valued="known",
    ),
    Fact(
        "unreported_deviation",
        FieldType("bool"),
        "een geaccepteerde afwijking is nog niet gemeld bij CIO Rijk",
        "engine",
        late=True,
        placeholders=(
            Placeholder(
                "unreported_rules",
                "de titels van de regels met een afwijking die nog niet is gemeld",
                ("unreported",),
                lambda f: (f.unreported_rules,),
                _rule_titles,
            ),
        ),
    ),
)

# Places that name fields of the registration or parameters of the policy, not a fact.
_FIELD_PLACEHOLDERS: tuple[Placeholder, ...] = (
    Placeholder(
        "countries_outside_allowed",
        "de landen van opslag en verwerking buiten `allowed_countries`",
        ("tuple(r.storage_countries)", "tuple(r.processing_countries)"),
        lambda f: (
            tuple(f.registration.storage_countries or ()),
            tuple(f.registration.processing_countries or ()),
        ),
        _outside_allowed,
    ),
    Placeholder(
        "allowed_countries_label",
        'de toegestane landen in woorden ("de EER", "de EER en Zwitserland")',
        (),
        lambda f: (),
        _allowed_label,
    ),
    Placeholder(
        "key_register",
        "de basisregistratie bij naam, met lidwoord en afkorting",
        ("r.key_register",),
        lambda f: (f.registration.key_register,),
        lambda policy: _key_register,
    ),
    Placeholder(
        "classification",
        'de rubricering bij naam ("Stg. Geheim", "ongerubriceerd")',
        ("r.classification",),
        lambda f: (f.registration.classification,),
        lambda policy: _classification,
    ),
    Placeholder(
        "exit_test_months",
        'de parameter `exit_test_months` in woorden ("12 maanden")',
        (),
        lambda f: (),
        lambda policy: lambda text=_months(policy.parameters.exit_test_months): text,
    ),
)

_FACTS: dict[str, Fact] = {fact.name: fact for fact in _BUILT_IN}


def register_fact(fact: Fact) -> None:
    """Add a fact after the others (its condition may name them); a name is registered once."""
    taken = {p.name for p in fact.placeholders} & set(_placeholder_table())
    if fact.name in _FACTS or taken:
        raise ValueError(f"fact {fact.name}: name already registered")
    _FACTS[fact.name] = fact


def unregister_fact(name: str) -> None:
    """Take a registered fact away again (tests that register one of their own)."""
    if name in {fact.name for fact in _BUILT_IN}:
        raise ValueError(f"fact {name} is built in")
    _FACTS.pop(name, None)


def facts() -> Mapping[str, Fact]:
    """Every fact, in registration order: a condition fact may name the facts before it."""
    return _FACTS


def fact(name: str) -> Fact:
    return _FACTS[name]


def _placeholder_table() -> dict[str, Placeholder]:
    table = {p.name: p for fact in _FACTS.values() for p in fact.placeholders}
    table.update((p.name, p) for p in _FIELD_PLACEHOLDERS)
    return table


def placeholders() -> Mapping[str, Placeholder]:
    """Every place a rule's ``problem`` or ``action`` may name."""
    return _placeholder_table()


def late_facts() -> frozenset[str]:
    return frozenset(name for name, f in _FACTS.items() if f.late)


_DERIVATIONS = {
    "condition": "voorwaarde in `facts`",
    "python": "Python (`derive`)",
    "engine": "de engine zelf",
}
_KINDS = {
    "bool": "ja/nee",
    "int": "getal",
    "text": "tekst",
    "date": "datum",
    "enum": "keuzelijst",
    "country": "landen",
    "list": "lijst",
    "object": "object",
}
_THREE_VALUED = {
    "truth": "waar, onwaar of onbekend",
    "chain": "open keten: de bekende landen beslissen wat ze al beslissen",
    "levels": "waar als het geldt voor elk niveau dat nog kan",
    "known": "altijd bekend",
}


def markdown() -> str:
    """The facts and the places of rule texts as two tables, for docs/policy-language.md."""
    lines = [
        "| feit | soort | afgeleid door | bij onbekende velden | betekenis |",
        "|---|---|---|---|---|",
    ]
    for f in _FACTS.values():
        kind = _KINDS[f.type.kind] + (f" van {_KINDS[f.type.item]}" if f.type.item else "")
        late = " (na de andere regels)" if f.late else ""
        lines.append(
            f"| `{f.name}` | {kind} | {_DERIVATIONS[f.derivation]}{late} | "
            f"{_THREE_VALUED[f.three_valued]} | {f.description} |"
        )
    lines += ["", "| plek | wat er komt te staan |", "|---|---|"]
    lines += [f"| `{{{p.name}}}` | {p.description} |" for p in _placeholder_table().values()]
    return "\n".join(lines) + "\n"
