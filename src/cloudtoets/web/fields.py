"""Every field of a registration, grouped in the themes of the form and the detail page.

One list drives the form (which widget, which options), the facts on the detail page and the
change history, so a new field of interface.md needs one line here. Labels and explanations
come from ``cloudtoets.domain.labels`` (the headers of the product's own exports); where the form
shows Dutch choices instead of codes, the explanation is replaced by one that fits the form.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

from cloudtoets.domain.knowledge import LIST_FACTS, NEVER_EMPTY, NONE_CODE, REGISTRATION_FACTS
from cloudtoets.domain.labels import LABELS
from cloudtoets.presentation import texts
from cloudtoets.web import dates

Widget = Literal[
    "text",  # one line of text
    "textarea",  # several lines of text
    "date",
    "number",  # a whole number
    "select",  # one code from a list, or none
    "radios",  # one code from a short list
    "yes_no",  # a bool
    "material",  # a bool or "let cloudtoets decide" (None)
    "checkboxes",  # several codes from a small list
    "codes",  # several codes from a long list, comma-separated
    "lines",  # several free texts, one per line
    "organisation",  # a select of the visible organisations
    "provider",  # a select of the catalogue and the organisations' own providers
]


@dataclass(frozen=True, slots=True)
class Field:
    path: str  # interface.md name, nested ones dotted
    widget: Widget
    options: Mapping[str, str] | None = None
    description: str | None = None  # None: the explanation from io/labels
    required: bool = False
    width: str | None = None
    kind: Literal["country", "provider", None] = None  # for codes
    # the text of the known "nothing" of a fact (the code none, or an empty list); None: the
    # fact has no known nothing (countries: data is always somewhere)
    none_label: str | None = None

    @property
    def fact(self) -> bool:
        """A fact (unknowns.md): the form offers "onbekend", and unknown is None."""
        return self.path in REGISTRATION_FACTS

    @property
    def listed(self) -> bool:
        """A fact that is a list: the form asks first whether it is unknown, none, or these."""
        return self.path in LIST_FACTS

    @property
    def name(self) -> str:
        """The input's name and id: the path with dashes (ids with dots are awkward in CSS)."""
        return self.path.replace(".", "-")

    @property
    def label(self) -> str:
        return LABELS["registrations"][self.path][0]

    @property
    def explanation(self) -> str:
        if self.description is not None:
            return self.description
        return LABELS["registrations"][self.path][1]


@dataclass(frozen=True, slots=True)
class Theme:
    key: str  # the fieldset's id
    title: str
    intro: str | None
    fields: tuple[Field, ...] = field(default_factory=tuple)


_COUNTRIES = "ISO-codes, gescheiden door komma's. Bijvoorbeeld: NL, IE."
UNKNOWN = "onbekend"  # the form's value for an unknown fact
UNKNOWN_LABEL = "Onbekend"
# the choice before a list fact: unknown, known to be empty, or these items
LIST_MODE_SUFFIX = "-keuze"
LIST_UNKNOWN, LIST_NONE, LIST_THESE = "onbekend", "geen", "deze"
_DATE = dates.HINT

FORM_THEMES: tuple[Theme, ...] = (
    Theme(
        "basis",
        "Basis",
        None,
        (
            Field(
                "id",
                "text",
                description="Een korte, unieke code van letters, cijfers en streepjes, "
                "bijvoorbeeld fin-m365-mail. U kunt het kenmerk later niet meer veranderen.",
                required=True,
                width="lg",
            ),
            Field(
                "organisation",
                "organisation",
                description="De organisatie die de dienst gebruikt.",
                required=True,
            ),
            Field("name", "text", description="Naam van de dienst zoals uw organisatie die kent."),
            Field(
                "deployment",
                "radios",
                texts.DEPLOYMENTS,
                description="Waar draait de dienst, en wie beheert de omgeving? Weet u het "
                "niet, kies dan Onbekend.",
            ),
            Field("service_model", "select", texts.SERVICE_MODELS, description=""),
            Field(
                "functions",
                "checkboxes",
                texts.FUNCTIONS,
                description="Waarvoor dient de dienst? Kies alles wat van toepassing is.",
                none_label="Geen van deze",
            ),
        ),
    ),
    Theme(
        "leverancier",
        "Leverancier en locatie",
        "De landen van de leverancier en haar moederbedrijven bepalen onder welke wetten de "
        "gegevens vallen. cloudtoets zoekt die keten zelf op.",
        (
            Field(
                "provider",
                "provider",
                description="Met wie hebt u het contract? Kies Onbekend als u het niet weet. Bij "
                "een private cloud in eigen beheer is er geen leverancier. Staat de leverancier er "
                "niet bij, neem haar dan op in een import.",
            ),
            Field(
                "subprocessors",
                "codes",
                description="Andere leveranciers die de gegevens ook verwerken, zoals hosting of "
                "support. Kenmerken uit de lijst van leveranciers, gescheiden door komma's. "
                "Bijvoorbeeld: microsoft-ireland.",
                kind="provider",
                none_label="Geen subverwerkers",
            ),
            Field(
                "abro_declaration",
                "yes_no",
                description="Voldoet de leverancier aantoonbaar aan de ABRO 2026?",
            ),
            Field(
                "storage_countries",
                "codes",
                description="Landen waar de gegevens worden opgeslagen. " + _COUNTRIES,
                kind="country",
            ),
            Field(
                "processing_countries",
                "codes",
                description="Landen waar de gegevens worden verwerkt, ook support op afstand. "
                + _COUNTRIES,
                kind="country",
            ),
        ),
    ),
    Theme(
        "gegevens",
        "Gegevens en beveiliging",
        None,
        (
            Field("encrypted_at_rest", "yes_no"),
            Field("encrypted_in_transit", "yes_no"),
            Field(
                "key_custody",
                "radios",
                texts.KEY_CUSTODY,
                description="Wie beheert de sleutels waarmee de gegevens zijn versleuteld?",
            ),
            Field("open_data", "yes_no"),
            Field(
                "classification",
                "select",
                texts.CLASSIFICATIONS,
                description="Kies Ongerubriceerd als de gegevens niet gerubriceerd zijn.",
                none_label="Ongerubriceerd",
            ),
            Field(
                "tbb_level",
                "select",
                texts.TBB_LEVELS,
                description="Niveau van te beschermen belangen. Kies Geen als dit niet van "
                "toepassing is.",
                none_label="Geen TBB-niveau",
            ),
            Field("personal_data", "radios", texts.PERSONAL_DATA, description=""),
            Field("large_scale_personal_data", "yes_no"),
            Field(
                "pets",
                "checkboxes",
                texts.PETS,
                description="Welke privacyverhogende technieken past u toe?",
                none_label="Geen",
            ),
            Field(
                "key_register",
                "select",
                texts.KEY_REGISTERS,
                description="Bevat de dienst gegevens van een basisregistratie? Kies dan welke.",
                none_label="Geen basisregistratie",
            ),
            Field("holds_source_data", "yes_no"),
        ),
    ),
    Theme(
        "gebruik",
        "Gebruik en contract",
        None,
        (
            Field("core_task", "yes_no"),
            Field("business_critical", "yes_no"),
            Field(
                "material",
                "material",
                texts.MATERIAL_CHOICES,
                description="Gebruik is materieel als de dienst een kerntaak ondersteunt, "
                "bedrijfskritisch is of op grote schaal persoonsgegevens verwerkt. cloudtoets "
                "bepaalt dit zelf, tenzij u het hier vastlegt.",
            ),
            Field(
                "in_use_since",
                "date",
                description="Datum waarop het gebruik begon. Laat leeg als u het niet weet. "
                + _DATE,
            ),
            Field(
                "contract_start",
                "date",
                description="Begindatum van het lopende contract. " + _DATE,
            ),
            Field(
                "contract_end", "date", description="Einddatum van het lopende contract. " + _DATE
            ),
            Field(
                "lifecycle_moment",
                "date",
                description="Een logisch moment om over te stappen, bijvoorbeeld het einde van "
                "het contract. " + _DATE,
            ),
            Field("lifecycle_justification", "textarea"),
        ),
    ),
)

# The evidence of a registration (decision 30): the detail page and the change history show it,
# but it comes only from the workflows (risk assessment, exit plan, notification), never from
# the form.
EVIDENCE_THEMES: tuple[Theme, ...] = (
    Theme(
        "risicoafweging",
        "Integrale risicoafweging",
        "Bij materieel cloudgebruik hoort een integrale risicoafweging. U legt die vast met de "
        "stap Integrale risicoafweging op de pagina van de registratie.",
        (
            Field("risk_assessment.date", "date"),
            Field("risk_assessment.covers_lock_in", "yes_no"),
            Field("risk_assessment.covers_jurisdiction", "yes_no"),
            Field("risk_assessment.accepted_by", "text"),
            Field("risk_assessment.accepted_on", "date"),
        ),
    ),
    Theme(
        "exitplan",
        "Exitplan",
        "Hoe stapt u over naar een andere dienst: gepland, en als de dienst plotseling wegvalt? "
        "U legt dit vast in het exitplan.",
        (
            Field("exit_plan.planned.lead_time_days", "number"),
            Field(
                "exit_plan.planned.preconditions",
                "lines",
                description="Wat moet geregeld zijn voor een geplande exit? Eén randvoorwaarde "
                "per regel.",
            ),
            Field("exit_plan.emergency.lead_time_days", "number"),
            Field(
                "exit_plan.emergency.preconditions",
                "lines",
                description="Wat moet geregeld zijn als de dienst plotseling wegvalt? Eén "
                "randvoorwaarde per regel.",
            ),
            Field("exit_plan.data_return", "yes_no"),
            Field("exit_plan.data_destruction", "yes_no"),
            Field("exit_plan.last_tested", "date"),
            Field("exit_plan.last_reviewed", "date"),
        ),
    ),
    Theme(
        "melding",
        "Melding bij CIO Rijk",
        "Materieel cloudgebruik meldt u bij CIO Rijk, met de risicoafweging en het exitplan.",
        (
            Field("notification.submitted_on", "date"),
            Field("notification.to", "text", description="Bijvoorbeeld: CIO Rijk."),
        ),
    ),
)

THEMES: tuple[Theme, ...] = (*FORM_THEMES, *EVIDENCE_THEMES)
FIELDS: Mapping[str, Field] = {f.path: f for theme in THEMES for f in theme.fields}
# what the registration form asks: everything but the evidence
FORM_FIELDS: Mapping[str, Field] = {f.path: f for theme in FORM_THEMES for f in theme.fields}
YES_NO: tuple[tuple[str, str], ...] = (("true", "Ja"), ("false", "Nee"))


def choices(spec: Field) -> list[tuple[str, str]]:
    """The options the form offers for a yes/no, radio or select field: for a fact also
    Onbekend, and its known nothing (Ongerubriceerd, Geen TBB-niveau, ...)."""
    options = list(YES_NO) if spec.widget == "yes_no" else list((spec.options or {}).items())
    if not spec.fact:
        return options
    if spec.none_label is not None:
        options.insert(0, (NONE_CODE, spec.none_label))
    if spec.widget == "select":  # a list to scroll: the default first
        return [(UNKNOWN, UNKNOWN_LABEL), *options]
    return [*options, (UNKNOWN, UNKNOWN_LABEL)]


def list_modes(spec: Field) -> list[tuple[str, str]]:
    """The choice before a list fact: Onbekend, its known nothing (not for countries), Deze."""
    modes = [(LIST_UNKNOWN, UNKNOWN_LABEL)]
    if spec.none_label is not None and spec.path not in NEVER_EMPTY:
        modes.append((LIST_NONE, spec.none_label))
    modes.append((LIST_THESE, "Deze:"))
    return modes


FIELD_BY_NAME: Mapping[str, Field] = {f.name: f for f in FIELDS.values()}


def value_at(record: Any, path: str) -> Any:
    """The value at a dotted path of a dataclass or a dict; None when a parent is missing."""
    current = record
    for part in path.split("."):
        if current is None:
            return None
        current = current.get(part) if isinstance(current, Mapping) else getattr(current, part)
    return current


def plain(value: Any) -> Any:
    """Enums as their code, tuples as lists: a value as JSON would hold it."""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True, slots=True)
class Names:
    """Names to show next to codes: providers and organisations by id."""

    providers: Mapping[str, str] = field(default_factory=dict)
    organisations: Mapping[str, str] = field(default_factory=dict)


NO_NAMES = Names()


def _named(code: Any, names: Mapping[str, str]) -> str:
    name = names.get(str(code))
    return f"{name} ({code})" if name and name != code else str(code)


def display(spec: Field, value: Any, names: Names = NO_NAMES) -> str:
    """A field's value as people read it: Ja/Nee, Dutch dates and choices, names with codes."""
    value = plain(value)
    widget = spec.widget
    if widget == "material":
        if value is None:
            return "Bepaald door cloudtoets"
        return "Ja" if value is True else "Nee" if value is False else str(value)
    if spec.fact and spec.path != "provider":
        if value is None or (value == [] and spec.path in NEVER_EMPTY):
            return UNKNOWN_LABEL
        if value == []:
            return spec.none_label or "Geen"
        if value == NONE_CODE and spec.none_label is not None:
            return spec.none_label
    if value is None or value == "" or value == []:
        return ""
    if widget == "yes_no":
        return "Ja" if value is True else "Nee" if value is False else str(value)
    if widget == "date":
        return texts.dutch_day(value)
    if widget in ("select", "radios") and spec.options is not None:
        return spec.options.get(str(value), str(value))
    if widget == "checkboxes" and spec.options is not None and isinstance(value, list):
        return ", ".join(spec.options.get(str(v), str(v)) for v in value)
    if widget == "provider":
        return _named(value, names.providers)
    if widget == "organisation":
        return _named(value, names.organisations)
    if widget == "codes" and isinstance(value, list):
        if spec.kind == "country":
            return ", ".join(f"{texts.country_name(c)} ({str(c).upper()})" for c in value)
        return ", ".join(_named(c, names.providers) for c in value)
    if widget == "lines" and isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if widget == "number" and "lead_time_days" in spec.path:
        return f"{value} dagen"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def facts(record: Any, names: Names = NO_NAMES) -> list[tuple[Theme, list[tuple[str, str]]]]:
    """Per theme the (label, shown value) pairs of a registration."""
    return [
        (theme, [(f.label, _shown(f, record, names)) for f in theme.fields]) for theme in THEMES
    ]


def _shown(spec: Field, record: Any, names: Names) -> str:
    value = value_at(record, spec.path)
    if spec.path == "provider" and value is None:  # none when run by government itself
        internal = plain(value_at(record, "deployment")) == "private-internal"
        return "Geen: eigen beheer" if internal else UNKNOWN_LABEL
    return display(spec, value, names)


def _same(spec: Field, a: Any, b: Any) -> bool:
    if a == b:
        return True
    if spec.widget == "material":  # None (decide) and False (not material) differ
        return False
    if spec.fact:  # unknown (None) differs from no, none and the empty list
        return spec.path in NEVER_EMPTY and not a and not b
    empty: tuple[Any, ...] = (None, "", [], False)
    return a in empty and b in empty


def changed_fields(
    before: Mapping[str, Any] | Any, after: Mapping[str, Any] | Any, names: Names = NO_NAMES
) -> list[tuple[str, str, str]]:
    """(label, before, after) for each field whose value differs, in form order.

    ``before`` and ``after`` are JSON records (audit) or Registrations (conflict page).
    """
    rows: list[tuple[str, str, str]] = []
    for path, spec in FIELDS.items():
        a = plain(value_at(before, path)) if before is not None else None
        b = plain(value_at(after, path)) if after is not None else None
        if not _same(spec, a, b):
            rows.append((spec.label, display(spec, a, names), display(spec, b, names)))
    a = _justifications(value_at(before, "justifications") if before is not None else None)
    b = _justifications(value_at(after, "justifications") if after is not None else None)
    if a != b:
        rows.append(("Onderbouwde afwijkingen", a, b))
    return rows


def _justifications(value: Any) -> str:
    if not value:
        return ""
    rules = [str(j.get("rule", "")) if isinstance(j, Mapping) else str(j.rule) for j in value]
    return ", ".join(rules)
