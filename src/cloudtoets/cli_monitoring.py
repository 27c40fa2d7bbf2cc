"""What ``cloudtoets reminders`` and ``cloudtoets report`` do (cli.py declares the options).

Both act as the operator at the command line (every organisation, or
``CLOUDTOETS_LOCAL_ORGANISATION``), print Dutch messages and return the exit code: 0 done,
2 a problem with the input or the settings, 1 some e-mails could not be sent.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from cloudtoets.services.actor import Actor
from cloudtoets.services.errors import NotFound

if TYPE_CHECKING:  # the database stack loads only when a register is opened
    from cloudtoets.services.context import Register


def _operator(register: Register) -> Actor:
    settings = register.settings
    return Actor.local(settings.local_user, settings.local_organisation)


def _date_problem(as_of: dt.date) -> str | None:
    from cloudtoets.domain.clock import check_as_of

    try:
        check_as_of(as_of)
    except ValueError as error:
        return f"--as-of: {error}"
    return None


def run_reminders(register: Register, as_of: dt.date, organisation: str | None, send: bool) -> int:
    from cloudtoets.engine.messages import dutch_date
    from cloudtoets.services.reminder_mail import MailNotConfigured, send_reminders
    from cloudtoets.services.reminders import reminders

    try:
        problem = _date_problem(as_of)
        if problem:
            typer.echo(problem, err=True)
            return 2
        try:
            found = reminders(register, _operator(register), as_of, organisation)
        except NotFound:
            typer.echo(f"Organisatie '{organisation}' bestaat niet.", err=True)
            return 2
        for r in found:
            late = " (te laat)" if r.overdue(as_of) else ""
            typer.echo(
                f"{r.due.isoformat()}{late}\t{r.organisation}\t{r.registration}\t{r.title}\t"
                f"{r.text}"
            )
        typer.echo(
            f"{len(found)} herinneringen op {dutch_date(as_of)} "
            f"(binnen {register.settings.reminder_days} dagen, of te laat)."
        )
        if not send:
            return 0
        try:
            report = send_reminders(register, as_of, organisation)
        except MailNotConfigured as error:
            typer.echo(str(error), err=True)
            return 2
        except (OSError, smtplib.SMTPException) as error:
            typer.echo(
                f"De SMTP-server {register.settings.smtp_host}:{register.settings.smtp_port} "
                f"werkt niet mee ({type(error).__name__}: {error}). Er is niets verstuurd.",
                err=True,
            )
            return 1
        typer.echo(
            f"{len(report.sent)} e-mails verstuurd met {report.reminders_sent} herinneringen; "
            f"{report.already_sent} herinneringen waren al eerder verstuurd."
        )
        for delivery, failure in report.failed:
            typer.echo(f"Niet verstuurd naar {delivery.recipient}: {failure}", err=True)
        if report.without_recipient:
            typer.echo(
                "Geen ontvanger ingesteld (CLOUDTOETS_REMINDER_RECIPIENTS) voor: "
                + ", ".join(report.without_recipient),
                err=True,
            )
        return 1 if report.failed else 0
    finally:
        register.close()


def run_report(
    register: Register, report_format: str, output: Path, organisation: str | None, as_of: dt.date
) -> int:
    from cloudtoets.reports import build
    from cloudtoets.reports.pdf import PdfUnavailable

    try:
        problem = _date_problem(as_of)
        if problem:
            typer.echo(problem, err=True)
            return 2
        make = build.pdf_report if report_format == "pdf" else build.xlsx_report
        try:
            data = make(register, _operator(register), as_of, organisation)
        except NotFound:
            typer.echo(f"Organisatie '{organisation}' bestaat niet.", err=True)
            return 2
        except PdfUnavailable as error:
            typer.echo(str(error), err=True)
            return 2
        try:
            output.write_bytes(data)
        except OSError as error:
            typer.echo(f"Kan {output} niet schrijven: {error.strerror}.", err=True)
            return 2
        typer.echo(f"Rapport geschreven: {output}")
        return 0
    finally:
        register.close()


# --- portfolio and policy impact ----------------------------------------------------------------


class _Stop(Exception):
    """A Dutch message for the user; exit code 2."""


def _portfolio_source(
    register: Register | None, inventory: Path | None, organisation: str | None
) -> object:
    """The registrations: the inventory file, or the register as the operator sees it."""
    from cloudtoets.problems import InputError
    from cloudtoets.services import portfolio as pf

    if inventory is not None:
        try:
            source = pf.source_from_inventory(inventory)
        except InputError as error:
            raise _Stop(error.render()) from None
        if organisation is not None and organisation not in source.organisations:
            raise _Stop(f"Organisatie '{organisation}' staat niet in de inventaris.")
        return source
    assert register is not None
    try:
        return pf.source_from_register(register, _operator(register), organisation)
    except NotFound:
        raise _Stop(f"Organisatie '{organisation}' bestaat niet.") from None


def _policy(register: Register | None, reference: str | None) -> object:
    from cloudtoets.policy.loader import load_policy
    from cloudtoets.problems import InputError

    if reference is None:
        return register.policy if register is not None else load_policy(DEFAULT_POLICY)
    try:
        return load_policy(reference)
    except InputError as error:
        raise _Stop(error.render()) from None


DEFAULT_POLICY = "rijksbreed-cloudbeleid-2026"


def _answer(
    register: Register | None,
    as_json: bool,
    compute: Callable[[], tuple[dict[str, object], Callable[[], str]]],
) -> int:
    """What ``portfolio`` and ``policy impact`` share: compute from the inventory file or the
    register (closed afterwards), then print the JSON document or the tables; a ``_Stop`` is a
    Dutch message on standard error and exit code 2."""
    import sys

    import orjson

    try:
        document, table = compute()
    except _Stop as stop:
        typer.echo(str(stop), err=True)
        return 2
    finally:
        if register is not None:
            register.close()
    if as_json:
        sys.stdout.buffer.write(orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n")
    else:
        typer.echo(table())
    return 0


def run_portfolio(
    register: Register | None,
    inventory: Path | None,
    *,
    as_of: dt.date,
    organisation: str | None,
    policy: str | None,
    without: list[str],
    without_country: list[str],
    compare_as_of: dt.date | None,
    as_json: bool,
) -> int:
    from cloudtoets.domain.countries import ISO_COUNTRY_CODES
    from cloudtoets.services import portfolio as pf

    def compute() -> tuple[dict[str, object], Callable[[], str]]:
        for day, option in ((as_of, "--as-of"), (compare_as_of, "--compare-as-of")):
            problem = _date_problem(day) if day is not None else None
            if problem:
                raise _Stop(problem.replace("--as-of", option))
        countries = [c.upper() for c in without_country]
        strange = [c for c in countries if c not in ISO_COUNTRY_CODES]
        if strange:
            raise _Stop(
                f"--without-country: onbekende landcode '{strange[0]}'; "
                "gebruik een ISO-code zoals US of CN."
            )
        source = _portfolio_source(register, inventory, organisation)
        assert isinstance(source, pf.Source)
        unknown = [p for p in without if p not in source.known_providers()]
        if unknown:
            raise _Stop(
                f"--without: leverancier '{unknown[0]}' staat niet in de catalogus of de "
                "inventaris (zie cloudtoets providers)."
            )
        loaded = _policy(register, policy)
        found = pf.portfolio(
            source,
            loaded,  # type: ignore[arg-type]
            as_of,
            organisation=organisation,
            without=without,
            without_country=countries,
            compare_as_of=compare_as_of,
        )
        return pf.portfolio_json(found), lambda: portfolio_table(found)

    return _answer(register, as_json, compute)


def _rows(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=True)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    for row in rows:
        cells = [
            c.rjust(w) if c[:1].isdigit() or c == "–" else c.ljust(w)
            for c, w in zip(row, widths, strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return lines


def portfolio_table(found: object, top: int = 10) -> str:
    """The portfolio in plain Dutch, as tables."""
    from cloudtoets.engine.messages import dutch_date
    from cloudtoets.presentation.texts import DEPLOYMENTS_SHORT, VERDICTS, count_share, percent
    from cloudtoets.services import portfolio as pf

    assert isinstance(found, pf.Portfolio)
    total = found.registrations
    who = f"organisatie {found.organisation}" if found.organisation else "alle organisaties"
    out = [
        f"Portfolio van {who} op {dutch_date(found.as_of)} (beleid {found.policy_id})",
        f"{total} registraties.",
        "",
        "Inzetmodel",
    ]
    deployments = {**DEPLOYMENTS_SHORT, pf.UNKNOWN: "onbekend"}
    out += _rows(
        ["inzetmodel", "registraties"],
        [[deployments[k], count_share(n, total)] for k, n in found.by_deployment.items()],
    )
    public = found.by_deployment.get("public", 0)
    unknown = found.by_deployment.get(pf.UNKNOWN, 0)
    out.append(
        f"Publiek: {public}. Niet publiek (privé, hybride, community): "
        f"{total - public - unknown}. Onbekend: {unknown}."
    )
    out += ["", "Oordeel"]
    out += _rows(
        ["oordeel", "registraties"],
        [[VERDICTS.get(k, k), count_share(n, total)] for k, n in found.by_verdict.items()],
    )
    m = found.material
    out += [
        "",
        f"Materieel gebruik: ja {m['yes']}, nee {m['no']}, onbekend {m['unknown']}. "
        f"Materieel gebruik van publieke cloud: {found.material_public}.",
        "",
        f"Concentratie per moederbedrijf (de {top} met het meeste materiële gebruik)",
    ]
    out += _rows(
        [
            "moederbedrijf",
            "land",
            "registraties",
            "materieel",
            "aandeel",
            "publiek materieel",
            "aandeel",
            "vitaal/essentieel",
        ],
        [
            [
                r.name,
                r.country or "",
                str(r.registrations),
                str(r.material),
                percent(r.material / m["yes"] if m["yes"] else None),
                str(r.material_public),
                percent(
                    r.material_public / found.material_public if found.material_public else None
                ),
                str(r.critical_or_essential),
            ]
            for r in found.by_ultimate_parent[:top]
        ],
    )
    trend = ""
    if found.trend is not None:
        trend = (
            f" Op {dutch_date(found.trend.as_of)}: {found.trend.hhi_material} "
            f"(verschil {found.trend.change:+d})."
        )
    out.append(
        f"Herfindahl-Hirschman-index van materieel gebruik per moederbedrijf: "
        f"{found.hhi_material} (boven 2500: sterk geconcentreerd).{trend}"
    )
    out += ["", f"Per leverancier met wie het contract is (de {top} grootste)"]
    out += _rows(
        ["leverancier", "land", "registraties", "materieel", "vitaal/essentieel"],
        [
            [
                r.name,
                r.country or "",
                str(r.registrations),
                str(r.material),
                str(r.critical_or_essential),
            ]
            for r in found.by_provider[:top]
        ],
    )
    out += ["", f"Per land in de keten (de {top} grootste)"]
    out += _rows(
        ["land", "registraties", "materieel", "vitaal/essentieel"],
        [
            [r.key, str(r.registrations), str(r.material), str(r.critical_or_essential)]
            for r in found.by_jurisdiction[:top]
        ],
    )
    out += ["", "Als één leverancier wegvalt: het meeste materiële gebruik"]
    out += _rows(
        ["leverancier", "materieel", "registraties"],
        [[r.name, str(r.material), str(r.registrations)] for r in found.ranking],
    )
    if found.calendar:
        out += ["", "Overgangstermijnen per kwartaal"]
        out += _rows(
            ["kwartaal", "termijnen"],
            [
                [f"{q.first_day.month // 3 + 1}e kwartaal {q.first_day.year}", str(q.count)]
                for q in found.calendar
            ],
        )
    if found.scenario is not None:
        s = found.scenario
        out += [
            "",
            f"Scenario: {s.name} valt weg",
            f"Geraakt: {len(s.registrations)} registraties, waarvan {len(s.material)} materieel, "
            f"bij {len(s.organisations)} organisaties ({', '.join(s.organisations) or '–'}).",
            f"Bij vitale of essentiële organisaties: {s.critical_or_essential}. "
            f"Met een geteste noodexit: {s.with_tested_emergency_plan}.",
        ]
        if s.with_exit_lead_time:
            out.append(
                f"Doorlooptijd noodexit (bij {s.with_exit_lead_time} vastgelegd): samen "
                f"{s.exit_lead_time_days_sum} dagen, langste {s.exit_lead_time_days_max} dagen."
            )
        else:
            out.append("Bij geen enkele geraakte registratie is een doorlooptijd vastgelegd.")
        if s.material:
            out.append("Materiële registraties die ervan afhangen: " + ", ".join(s.material))
    return "\n".join(out)


def policy_impact_table(found: object) -> str:
    """Which registrations change verdict, in plain Dutch: the transitions, per organisation
    and each registration."""
    from cloudtoets.presentation.texts import VERDICTS
    from cloudtoets.services import portfolio as pf

    assert isinstance(found, pf.PolicyImpact)
    out = [
        f"{found.changed} van de {found.registrations} registraties krijgen een ander "
        f"oordeel met {found.other} in plaats van {found.base}."
    ]
    if not found.transitions:
        return "\n".join(out)
    out.append("")
    out += _rows(
        ["van", "naar", "registraties"],
        [
            [VERDICTS.get(a, a), VERDICTS.get(b, b), str(n)]
            for (a, b), n in found.transitions.items()
        ],
    )
    out.append("")
    out += _rows(
        ["organisatie", "registraties"],
        [[org, str(n)] for org, n in found.per_organisation.items()],
    )
    out.append("")
    out += _rows(
        ["registratie", "organisatie", "van", "naar"],
        [
            [
                c.registration,
                c.organisation,
                VERDICTS.get(c.before, c.before),
                VERDICTS.get(c.after, c.after),
            ]
            for c in found.changes
        ],
    )
    return "\n".join(out)


def run_policy_impact(
    register: Register | None,
    inventory: Path | None,
    base: str,
    other: str,
    *,
    as_of: dt.date,
    organisation: str | None,
    as_json: bool,
) -> int:
    from cloudtoets.services import portfolio as pf

    def compute() -> tuple[dict[str, object], Callable[[], str]]:
        problem = _date_problem(as_of)
        if problem:
            raise _Stop(problem)
        base_policy, other_policy = _policy(register, base), _policy(register, other)
        source = _portfolio_source(register, inventory, organisation)
        assert isinstance(source, pf.Source)
        found = pf.policy_impact(
            source,
            base_policy,  # type: ignore[arg-type]
            other_policy,  # type: ignore[arg-type]
            as_of,
            organisation=organisation,
        )
        return pf.policy_impact_json(found), lambda: policy_impact_table(found)

    return _answer(register, as_json, compute)
