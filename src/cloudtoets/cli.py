"""The ``cloudtoets`` command line: check inventories, inspect policies and the catalogue."""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from cloudtoets.cli_notifications import notification_app
from cloudtoets.problems import InputError, Problem

app = typer.Typer(
    name="cloudtoets",
    help="Toets cloudgebruik van de overheid aan het Rijksbreed cloudbeleid 2026.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
policy_app = typer.Typer(
    help="Beleidsversies bekijken, controleren en vergelijken.", no_args_is_help=True
)
app.add_typer(policy_app, name="policy")
db_app = typer.Typer(help="De database van het register.", no_args_is_help=True)
app.add_typer(db_app, name="db")
user_app = typer.Typer(
    help="Accounts beheren (lokale accounts en OpenID Connect).", no_args_is_help=True
)
app.add_typer(user_app, name="user")
token_app = typer.Typer(help="Persoonlijke API-tokens maken en intrekken.", no_args_is_help=True)
app.add_typer(token_app, name="token")
audit_app = typer.Typer(
    help="Het auditlogboek: de hashketen controleren en archiveren.", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")
app.add_typer(notification_app, name="notification")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database-URL (standaard CLOUDTOETS_DATABASE_URL of sqlite:///cloudtoets.sqlite).",
    ),
]


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"


class FailOn(StrEnum):
    NOT_ALLOWED = "not-allowed"
    TRANSITION = "transition"
    ADVISED_AGAINST = "advised-against"


def _date(value: str | None) -> dt.date:
    """The --as-of date, or today in Amsterdam by the settings' clock (CLOUDTOETS_NOW)."""
    if value is None:
        today: dt.date = _settings(None).clock().today()
        return today
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is geen datum; schrijf JJJJ-MM-DD") from None


def _fail(error: InputError) -> None:
    typer.echo(error.render(), err=True)
    raise typer.Exit(2)


@app.command()
def check(
    inventory: Annotated[
        Path, typer.Argument(help="Inventaris: .yaml, .yml, .json, .xlsx of .csv.")
    ],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Peildatum JJJJ-MM-DD (standaard: vandaag).")
    ] = None,
    policy: Annotated[
        str, typer.Option("--policy", help="Ingebouwd beleid (id) of een beleidsbestand.")
    ] = "rijksbreed-cloudbeleid-2026",
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Uitvoer: table, json of csv.")
    ] = OutputFormat.TABLE,
    fail_on: Annotated[
        FailOn, typer.Option("--fail-on", help="Vanaf welk oordeel de exitcode 1 is.")
    ] = FailOn.NOT_ALLOWED,
    organisations: Annotated[
        Path | None, typer.Option("--organisations", help="Organisaties bij een CSV-inventaris.")
    ] = None,
    providers: Annotated[
        Path | None, typer.Option("--providers", help="Leveranciers bij een CSV-inventaris.")
    ] = None,
    color: Annotated[
        bool | None,
        typer.Option(
            "--color/--no-color", help="Kleur in de tabel (standaard: als de terminal het kan)."
        ),
    ] = None,
) -> None:
    """Toets een inventaris.

    Exitcode 0: in orde; 1: een verplichte registratie haalt --fail-on (bij een onvolledig
    oordeel telt het slechtst mogelijke oordeel); 2: onbruikbare invoer.
    """
    from cloudtoets.domain.vocabulary import Verdict
    from cloudtoets.engine.context import EvaluationContext
    from cloudtoets.engine.evaluate import evaluate_registrations
    from cloudtoets.io import results
    from cloudtoets.io.read import read_inventory
    from cloudtoets.policy.loader import load_policy

    day = _date(as_of)
    _file_batch()
    try:
        loaded_policy = load_policy(policy)
        checked = read_inventory(
            inventory, organisations_file=organisations, providers_file=providers
        )
    except InputError as error:
        _fail(error)
    context = EvaluationContext(checked.organisations, checked.providers)
    decisions = evaluate_registrations(checked.inventory.registrations, context, loaded_policy, day)

    if output_format is OutputFormat.JSON:
        results.write_json(decisions, loaded_policy, day, sys.stdout.buffer)
    elif output_format is OutputFormat.CSV:
        results.write_csv(decisions, sys.stdout.buffer)
    else:
        results.render_table(decisions, loaded_policy, day, sys.stdout, color=color)
    sys.stdout.flush()

    # unknown is not compliant (unknowns.md): a registration counts as its worst verdict
    threshold = Verdict(fail_on.value).rank
    failing = any(d.counts_as_failure and d.worst.rank <= threshold for d in decisions)
    raise typer.Exit(1 if failing else 0)


@policy_app.command("list")
def policy_list() -> None:
    """Toon de ingebouwde beleidsversies."""
    from cloudtoets.policy.loader import builtin_policy_ids, load_policy

    for policy_id in builtin_policy_ids():
        p = load_policy(policy_id)
        typer.echo(f"{p.id}\t{p.version}\t{p.status}\t{p.short_revision}\t{p.title}")


@policy_app.command("show")
def policy_show(
    policy: Annotated[
        str, typer.Argument(help="Ingebouwd beleid (id) of een beleidsbestand.")
    ] = "rijksbreed-cloudbeleid-2026",
    source: Annotated[
        bool, typer.Option("--source", help="Toon ook de gecompileerde Python-code.")
    ] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="Als Markdown-referentiepagina.")
    ] = False,
) -> None:
    """Toon de regels en parameters van een beleid in leesbare vorm."""
    from cloudtoets.policy.describe import (
        basis_text,
        describe_condition,
        parameter_text,
        policy_markdown,
        source_text,
        transition_text,
    )
    from cloudtoets.policy.loader import load_policy

    try:
        p = load_policy(policy)
    except InputError as error:
        _fail(error)
    if markdown:
        typer.echo(policy_markdown(p))
        return
    typer.echo(f"{p.title} ({p.id}, versie {p.version}, {p.status})")
    typer.echo(f"Bron: {p.source}")
    typer.echo(f"Revisie: {p.revision}\n")
    typer.echo("Parameters:")
    for key, value in p.parameter_values().items():
        shown = ", ".join(sorted(str(v) for v in value)) if isinstance(value, frozenset) else value
        if isinstance(value, dict | tuple):
            shown = parameter_text(value)
        typer.echo(f"  {key}: {shown}")
    typer.echo("\nRegels:")
    for rule in p.rules:
        typer.echo(f"\n  {rule.id} — {source_text(rule)}{basis_text(rule)} — {rule.severity.value}")
        typer.echo(f"    {rule.title}")
        if rule.applies_when is not None:
            typer.echo(f"    geldt als: {describe_condition(rule.applies_when)}")
        typer.echo(f"    bevinding als: {describe_condition(rule.finding_when)}")
        typer.echo(f"    {transition_text(rule, p.parameters)}")
        if rule.justification_requires:
            typer.echo(f"    afwijking vraagt ook: {', '.join(rule.justification_requires)}")
    if source:
        from cloudtoets.engine.compiler import compile_policy

        typer.echo("\nGecompileerde code:\n")
        typer.echo(compile_policy(p).source)


@policy_app.command("validate")
def policy_validate(file: Annotated[Path, typer.Argument(help="Beleidsbestand (YAML).")]) -> None:
    """Controleer een beleidsbestand volledig; exitcode 2 bij fouten."""
    from cloudtoets.policy.loader import load_policy

    try:
        p = load_policy(file)
    except InputError as error:
        _fail(error)
    for warning in p.warnings:
        typer.echo(f"Waarschuwing: {file}: {warning}", err=True)
    typer.echo(
        f"In orde: {p.id} versie {p.version}, {len(p.rules)} regels, revisie {p.short_revision}"
    )


@policy_app.command("test")
def policy_test(
    policies: Annotated[
        list[str] | None,
        typer.Argument(help="Ingebouwd beleid (id) of beleidsbestand; standaard alle ingebouwde."),
    ] = None,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Noem ook de geslaagde voorbeelden.")
    ] = False,
) -> None:
    """Draai de voorbeelden van een beleid: elk moet het verwachte oordeel en de verwachte
    regels geven. Exitcode 0: alle geslaagd; 1: een voorbeeld mislukt; 2: onbruikbaar beleid."""
    from cloudtoets.policy.loader import builtin_policy_ids, load_policy
    from cloudtoets.services.policy_examples import run_examples

    failed = 0
    for ref in policies or builtin_policy_ids():
        try:
            p = load_policy(ref)
        except InputError as error:
            _fail(error)
        results = run_examples(p)
        passed = sum(r.passed for r in results)
        for result in results:
            if not result.passed:
                typer.echo(f"  MISLUKT: {result.name}: {'; '.join(result.failures)}")
            elif verbose:
                typer.echo(f"  geslaagd: {result.name}")
        if not results:
            typer.echo(f"{p.id}: geen voorbeelden")
        else:
            typer.echo(f"{p.id}: {passed} van {len(results)} voorbeelden geslaagd")
        failed += len(results) - passed
    raise typer.Exit(1 if failed else 0)


@policy_app.command("diff")
def policy_diff(
    a: Annotated[str, typer.Argument(help="Eerste beleid (id of bestand).")],
    b: Annotated[str, typer.Argument(help="Tweede beleid (id of bestand).")],
) -> None:
    """Toon welke regels en parameters verschillen tussen twee beleidsversies."""
    from cloudtoets.policy.describe import diff_policies, period_text
    from cloudtoets.policy.loader import load_policy
    from cloudtoets.policy.schema import Period

    try:
        pa, pb = load_policy(a), load_policy(b)
    except InputError as error:
        _fail(error)
    diff = diff_policies(pa, pb)
    typer.echo(f"Verschil {pa.id} ({pa.version}) -> {pb.id} ({pb.version})")
    if diff.empty:
        typer.echo("Geen verschil in regels, parameters, feiten of teksten.")
        return

    def show(value: object) -> str:
        if value is None:
            return "(geen)"
        if isinstance(value, Period):
            return period_text(value)
        if isinstance(value, frozenset | set):
            return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
        if isinstance(value, tuple):
            return "[" + ", ".join(str(v) for v in value) + "]"
        if isinstance(value, dict):
            return ", ".join(f"{k}={v}" for k, v in value.items())
        return str(value)

    for key, (va, vb) in diff.parameters.items():
        typer.echo(f"  parameter {key}:")
        if isinstance(va, frozenset) and isinstance(vb, frozenset):
            if vb - va:
                typer.echo(f"    + {show(vb - va)}")
            if va - vb:
                typer.echo(f"    - {show(va - vb)}")
        elif isinstance(va, dict) and isinstance(vb, dict):
            for k in [*va, *(k for k in vb if k not in va)]:
                if va.get(k) != vb.get(k):
                    typer.echo(f"    {k}: {show(va.get(k))} -> {show(vb.get(k))}")
        else:
            typer.echo(f"    {show(va)} -> {show(vb)}")
    for key in diff.texts:
        typer.echo(f"  tekst {key} gewijzigd")
    for name, (fa, fb) in diff.facts.items():
        typer.echo(f"  feit {name}:\n    {fa}\n    -> {fb}")
    for rule_id in diff.only_in_a:
        typer.echo(f"  regel alleen in {pa.id}: {rule_id}")
    for rule_id in diff.only_in_b:
        typer.echo(f"  regel alleen in {pb.id}: {rule_id}")
    for rule_id, changed in diff.changed_rules.items():
        typer.echo(f"  regel {rule_id} gewijzigd: {', '.join(changed)}")


@app.command("providers")
def providers_command(
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="table of json.")
    ] = OutputFormat.TABLE,
    policy: Annotated[
        str,
        typer.Option(
            "--policy", help="Beleid (id of bestand) waarvan de EER telt voor 'Buiten EER'."
        ),
    ] = "rijksbreed-cloudbeleid-2026",
) -> None:
    """Toon de ingebouwde leverancierscatalogus met de berekende jurisdictieketens."""
    import orjson

    from cloudtoets.policy.loader import load_policy
    from cloudtoets.services.providers import catalogue_views

    try:
        eea = load_policy(policy).parameters.eea
    except InputError as exc:
        _fail(exc)
    rows: list[dict[str, Any]] = []
    for view in catalogue_views(eea):
        entry = view.entry
        assert entry is not None  # the catalogue's own views
        rows.append(
            {
                "id": entry.id,
                "name": entry.name,
                "country": entry.country,
                "headquarters": entry.headquarters,
                "parent": entry.parent,
                "subprocessors": list(entry.subprocessors),
                "kind": entry.kind,
                "services": list(entry.services),
                "chain": [p.id for p in view.chain],
                "jurisdictions": list(view.jurisdictions),
                "outside_eea": list(view.outside_eea),
                "source": entry.source,
                "checked": entry.checked,
                "note": entry.note,
                "uncertain": entry.uncertain,
            }
        )
    if output_format is OutputFormat.JSON:
        sys.stdout.buffer.write(orjson.dumps(rows, option=orjson.OPT_INDENT_2) + b"\n")
        return
    if output_format is OutputFormat.CSV:
        raise typer.BadParameter("gebruik --format table of json")
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Leverancierscatalogus", title_justify="left")
    columns = ("Kenmerk", "Naam", "Land", "Keten", "Eigen subverwerkers", "Buiten EER", "Onzeker")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["name"]),
            str(row["country"])
            + (f" (geleid vanuit {row['headquarters']})" if row["headquarters"] else ""),
            " → ".join(row["chain"]),
            ", ".join(row["subprocessors"]) or "-",
            ", ".join(row["outside_eea"]) or "-",
            "ja" if row["uncertain"] else "",
        )
    Console().print(table)


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="Inventaris om te lezen.")],
    target: Annotated[
        Path, typer.Argument(help="Bestand om te schrijven (.yaml, .json, .xlsx, .csv).")
    ],
    fill_defaults: Annotated[
        bool,
        typer.Option(
            "--fill-defaults",
            help="Vul wat ontbreekt in met de oude standaardwaarden (nee, geen, ongerubriceerd).",
        ),
    ] = False,
) -> None:
    """Zet een inventaris om naar een ander formaat (na volledige controle).

    Met --fill-defaults schrijft u de oude standaardwaarden uit: een inventaris die daarop
    rekende, krijgt zo dezelfde oordelen als vroeger. Onbekend blijft onbekend.
    """
    from cloudtoets.io.legacy import Filled, fill_document
    from cloudtoets.io.read import read_inventory
    from cloudtoets.io.write import write_inventory

    filled = Filled()

    def prepare(document: Any) -> Any:
        nonlocal filled
        document, filled = fill_document(document)
        return document

    try:
        checked = read_inventory(source, prepare=prepare if fill_defaults else None)
        if fill_defaults:
            _report_filled(filled)
        if target.suffix.lower() == ".csv" and (
            checked.inventory.organisations or checked.inventory.providers
        ):
            typer.echo(
                "Let op: CSV bevat alleen registraties; geef organisaties en leveranciers apart "
                "mee met --organisations en --providers.",
                err=True,
            )
        write_inventory(checked.inventory, target)
    except InputError as error:
        _fail(error)
    typer.echo(f"{len(checked.inventory.registrations)} registraties geschreven naar {target}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _report_filled(filled: Any) -> None:
    """Say in Dutch what --fill-defaults did, and what it left unknown (on stderr)."""
    typer.echo(
        f"Oude standaardwaarden ingevuld bij {_count(filled.registrations, 'registratie')} en "
        f"{_count(filled.organisations, 'organisatie')}.",
        err=True,
    )
    if filled.added_organisations:
        typer.echo(
            "Uit de ingebouwde catalogus toegevoegd, met 'nee' voor kritieke entiteit, "
            f"essentiële entiteit en vitale aanbieder: {', '.join(filled.added_organisations)}.",
            err=True,
        )
    if filled.without_start:
        shown = ", ".join(filled.without_start[:10])
        more = len(filled.without_start) - 10
        if more > 0:
            shown += f" en nog {more}"
        typer.echo(
            f"Let op: bij {_count(len(filled.without_start), 'registratie')} staat niet sinds "
            f"wanneer de dienst in gebruik is ({shown}). Vroeger betekende dat: nieuw "
            "gebruik. Nu blijft het onbekend, want daar is geen standaardwaarde voor. Vul "
            "in_use_since in als u de datum weet.",
            err=True,
        )


@app.command()
def template(
    output: Annotated[Path, typer.Option("--output", "-o", help="Bestand om te schrijven.")] = Path(
        "cloudtoets-inventaris.xlsx"
    ),
    output_format: Annotated[str, typer.Option("--format", help="Alleen xlsx.")] = "xlsx",
) -> None:
    """Schrijf een lege, toegelichte inventaris-werkmap om in te vullen."""
    if output_format != "xlsx":
        raise typer.BadParameter("alleen --format xlsx wordt ondersteund")
    from cloudtoets.io.xlsx import write_template

    write_template(output)
    typer.echo(f"Sjabloon geschreven: {output}")


def _settings(database: str | None) -> Any:
    from cloudtoets.config import load_settings

    settings = load_settings()
    if database is not None:
        settings.database_url = database
    return settings


def _open_register(database: str | None) -> Any:
    """The register on a database with the schema this cloudtoets needs (no DDL on PostgreSQL:
    ``cloudtoets db upgrade`` is the owner's; services/database.py)."""
    from cloudtoets.services.database import DatabaseProblem, open_prepared

    try:
        return open_prepared(_settings(database))
    except DatabaseProblem as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None


@db_app.command("upgrade")
def db_upgrade(database: DatabaseOption = None) -> None:
    """Breng de database naar de nieuwste versie van het schema (als eigenaar; veilig om te
    herhalen)."""
    from cloudtoets.cli_database import run_upgrade

    run_upgrade(_settings(database))


@db_app.command("backup")
def db_backup(
    target: Annotated[Path, typer.Argument(help="Nieuw bestand voor de reservekopie.")],
    database: DatabaseOption = None,
) -> None:
    """Maak een reservekopie van de hele database terwijl cloudtoets doorwerkt; met controle."""
    from cloudtoets.cli_database import run_backup

    raise typer.Exit(run_backup(_settings(database), target))


@db_app.command("restore")
def db_restore(
    source: Annotated[Path, typer.Argument(help="De reservekopie (van cloudtoets db backup).")],
    database: DatabaseOption = None,
    force: Annotated[
        bool, typer.Option("--force", help="Vervang een database die al gegevens heeft.")
    ] = False,
) -> None:
    """Zet een reservekopie terug in de database en controleer het resultaat."""
    from cloudtoets.cli_database import run_restore

    raise typer.Exit(run_restore(_settings(database), source, force=force))


@db_app.command("refresh")
def db_refresh(
    database: DatabaseOption = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Peildatum (standaard vandaag).")
    ] = None,
) -> None:
    """Toets registraties opnieuw die voor de peildatum zijn getoetst (dagelijks, via cron)."""
    from cloudtoets.services.registrations import refresh

    register = _open_register(database)
    count = refresh(register, _date(as_of))
    typer.echo(f"{count} registraties opnieuw getoetst.")
    register.close()


@app.command()
def demo(database: DatabaseOption = None) -> None:
    """Vul een lege database met de demodata (ministeries, agentschappen, zbo's)."""
    from cloudtoets.services.demo import is_empty, load_demo

    register = _open_register(database)
    if not is_empty(register):
        typer.echo("De database bevat al registraties; er is niets toegevoegd.")
    else:
        plan = load_demo(register)
        typer.echo(f"Demodata geladen: {len(plan.registrations.new)} registraties.")
    register.close()


@app.command("import")
def import_command(
    inventory: Annotated[
        Path, typer.Argument(help="Inventaris: .yaml, .yml, .json, .xlsx of .csv.")
    ],
    database: DatabaseOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Alleen controleren en tonen wat er zou veranderen.")
    ] = False,
) -> None:
    """Importeer een inventaris in het register: alles of niets."""
    from cloudtoets.services.actor import Actor
    from cloudtoets.services.imports import commit_import, preview_import

    if not inventory.is_file():
        _fail(InputError(str(inventory), [Problem("", "dit bestand bestaat niet")]))
    data = inventory.read_bytes()
    register = _open_register(database)
    actor = Actor.local(register.settings.local_user)
    gc.disable()  # as check: many objects made once, and the process ends after (a third less CPU)
    try:
        if dry_run:
            plan = preview_import(register, actor, inventory.name, data, uploaded=False)
            if not plan.ok:
                raise InputError(str(inventory), plan.problems)
        else:

            def progress(done: int, total: int) -> None:
                typer.echo(f"verwerkt {done} van {total} registraties", err=True)

            plan = commit_import(
                register, actor, inventory.name, data, progress=progress, uploaded=False
            )
    except InputError as error:
        register.close()
        _fail(error)
    register.close()
    word = "Zou importeren" if dry_run else "Geïmporteerd"
    typer.echo(
        f"{word}: {len(plan.registrations.new)} nieuw, "
        f"{len(plan.registrations.changed)} gewijzigd, "
        f"{len(plan.registrations.unchanged)} ongewijzigd."
    )


@app.command("export")
def export_command(
    target: Annotated[Path, typer.Argument(help="Bestand: .yaml, .json, .xlsx of .csv.")],
    database: DatabaseOption = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Alleen deze organisatie.")
    ] = None,
) -> None:
    """Exporteer het register (of één organisatie) als inventaris."""
    from cloudtoets.io.write import write_inventory
    from cloudtoets.services.actor import Actor
    from cloudtoets.services.imports import export_inventory

    register = _open_register(database)
    actor = Actor.local(_settings(database).local_user)
    inventory = export_inventory(register, actor, organisation)
    register.close()
    try:
        write_inventory(inventory, target)
    except InputError as error:
        _fail(error)
    typer.echo(f"{len(inventory.registrations)} registraties geschreven naar {target}")


@audit_app.command("verify")
def audit_verify(
    database: DatabaseOption = None,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file", help="Controleer een export (JSON Lines) in plaats van de database."
        ),
    ] = None,
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            "--checkpoint",
            help="Controleer ook de ondertekende controlepunten in dit bestand "
            "(gemaakt met audit checkpoint).",
        ),
    ] = None,
) -> None:
    """Controleer de hashketen van het auditlogboek; exitcode 1 bij een beschadigd record."""
    from cloudtoets.services.audit import describe, verify_chain, verify_file

    if checkpoint is not None:
        if file is not None:
            raise typer.BadParameter("gebruik --checkpoint met de database, niet met --file")
        _audit_verify_checkpoints(database, checkpoint)
        return
    if file is not None:
        if database is not None:
            raise typer.BadParameter("gebruik --file of --database, niet allebei")
        if not file.is_file():
            _fail(InputError(str(file), [Problem("", "dit bestand bestaat niet")]))
        result = verify_file(file)
    else:
        register = _open_register(database)
        result = verify_chain(register)
        register.close()
    if result.broken is not None:
        typer.echo(f"Auditlogboek NIET in orde: {describe(result.broken)}.")
        typer.echo(
            f"De {result.count} records daarvoor zijn in orde (laatste hash {result.head_hash})."
        )
        raise typer.Exit(1)
    typer.echo(f"Auditlogboek in orde: {result.count} records, laatste hash {result.head_hash}.")


def _audit_verify_checkpoints(database: str | None, path: Path) -> None:
    from cloudtoets.services.audit_checkpoints import verify_with_checkpoints
    from cloudtoets.services.package_signing import KeyProblem

    if not path.is_file():
        _fail(InputError(str(path), [Problem("", "dit bestand bestaat niet")]))
    register = _open_register(database)
    try:
        checked = verify_with_checkpoints(register, path)
    except KeyProblem as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    finally:
        register.close()
    result = checked.chain
    if checked.problem in ("file", "signature", "key"):
        typer.echo(f"Controlepunten NIET te vertrouwen: {checked.message}")
        raise typer.Exit(1)
    if checked.problem is not None:
        typer.echo(f"Auditlogboek NIET in orde: {checked.message}")
        if checked.problem == "chain":
            typer.echo(
                f"De {result.count} records daarvoor zijn in orde "
                f"(laatste hash {result.head_hash})."
            )
        raise typer.Exit(1)
    typer.echo(
        f"Auditlogboek in orde: {result.count} records, laatste hash {result.head_hash}; "
        f"klopt met {checked.checkpoints} "
        f"{'controlepunt' if checked.checkpoints == 1 else 'controlepunten'} uit {path}."
    )


@audit_app.command("checkpoint")
def audit_checkpoint(
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            help="Bestand waar het controlepunt als één regel aan wordt toegevoegd; bewaar het "
            "waar de app-rol niet kan schrijven.",
        ),
    ],
    database: DatabaseOption = None,
) -> None:
    """Onderteken de kop van de hashketen (volgnummer, hash, aantal, moment, installatie) en
    voeg dat controlepunt toe aan een bestand; exitcode 1 als de keten niet in orde is."""
    from cloudtoets.services.audit_checkpoints import CheckpointRefused, write_checkpoint
    from cloudtoets.services.package_signing import KeyProblem, key_id

    if not output.parent.is_dir():
        _fail(InputError(str(output), [Problem("", "de map van dit bestand bestaat niet")]))
    register = _open_register(database)
    try:
        made = write_checkpoint(register, output)
    except CheckpointRefused as refused:
        typer.echo(str(refused))
        raise typer.Exit(1) from None
    except KeyProblem as problem:
        typer.echo(str(problem), err=True)
        raise typer.Exit(2) from None
    finally:
        register.close()
    typer.echo(
        f"Controlepunt toegevoegd aan {output}: {made.count} records, laatste hash "
        f"{made.head_hash}, ondertekend door {made.installation} "
        f"(sleutel {key_id(made.public_key)})."
    )


@audit_app.command("export")
def audit_export(
    target: Annotated[Path, typer.Argument(help="Bestand om te schrijven (JSON Lines).")],
    database: DatabaseOption = None,
) -> None:
    """Schrijf het hele auditlogboek als JSON Lines (één record per regel, met hash)."""
    from cloudtoets.services.audit import export_chain

    if not target.parent.is_dir():
        _fail(InputError(str(target), [Problem("", "de map van dit bestand bestaat niet")]))
    register = _open_register(database)
    exported = export_chain(register, target)
    register.close()
    typer.echo(
        f"{exported.count} auditrecords geschreven naar {target}; "
        f"laatste hash {exported.head_hash}."
    )


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Adres om op te luisteren.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Poort.")] = 8000,
    database: DatabaseOption = None,
    demo_data: Annotated[
        bool, typer.Option("--demo", help="Vul een lege database met demodata.")
    ] = False,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Aantal app-processen.")] = 1,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Adressen van uw reverse proxy (IP-adressen of netwerken met komma's ertussen) "
            "waarvan cloudtoets X-Forwarded-For en -Proto gelooft. Standaard "
            "CLOUDTOETS_FORWARDED_ALLOW_IPS; leeg: van niemand.",
        ),
    ] = None,
) -> None:
    """Start de webapp en de API (http://HOST:PORT, API-documentatie op /api/v1/docs)."""
    import uvicorn

    from cloudtoets.config import forwarded_addresses
    from cloudtoets.server.workers import APP, reuse_port_supported, server_options
    from cloudtoets.services.demo import is_empty, load_demo
    from cloudtoets.services.registrations import refresh

    settings = _settings(database)
    if demo_data:
        settings.demo = True
    problems = settings.problems()
    trusted = settings.forwarded_allow_ips
    if forwarded_allow_ips is not None:
        try:
            trusted = forwarded_addresses(forwarded_allow_ips)
        except ValueError as exc:
            problems.append(f"--forwarded-allow-ips: {exc}")
    if settings.auth_mode == "local" and host not in ("127.0.0.1", "localhost", "::1"):
        problems.append(
            "zonder inlog (CLOUDTOETS_AUTH_MODE=local) luistert cloudtoets alleen op 127.0.0.1"
        )
    if problems:
        for problem in problems:
            typer.echo(f"Kan niet starten: {problem}.", err=True)
        raise typer.Exit(2)
    register = _open_register(database)
    if demo_data and is_empty(register):
        typer.echo("Demodata laden ...", err=True)
        load_demo(register)
    refresh(register)
    url = register.settings.database_url
    register.close()
    # every worker builds its own app from the environment (no state lives in a process)
    os.environ["CLOUDTOETS_DATABASE_URL"] = url
    if demo_data:
        os.environ["CLOUDTOETS_DEMO"] = "1"
    options: dict[str, Any] = {"log_level": "warning", **server_options(trusted)}
    running = f"cloudtoets draait op http://{host}:{port} (stoppen: Ctrl+C)"
    if workers > 1 and reuse_port_supported():
        _serve_workers(workers, host, port, options, running)
        return
    typer.echo(running, err=True)
    uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, **options)


def _serve_workers(
    workers: int, host: str, port: int, options: dict[str, Any], running: str
) -> None:
    """Several app processes, each with its own listening socket (see server/workers.py)."""
    import errno

    from cloudtoets.server.workers import Supervisor

    def say(text: str) -> None:
        typer.echo(text, err=True)

    supervisor = Supervisor(workers, host, port, options, report=say)
    try:
        failure = supervisor.run(on_claimed=lambda: say(running))
    except OSError as exc:
        reason = "de poort is al in gebruik" if exc.errno == errno.EADDRINUSE else exc.strerror
        say(
            f"Kan niet luisteren op {host}:{port}: {reason}. Kies een andere poort met --port, "
            "of stop het programma dat deze poort gebruikt."
        )
        raise typer.Exit(2) from None
    if failure:
        say(f"cloudtoets is gestopt: {failure}.")
        raise typer.Exit(1)


def _operator(register: Any) -> Any:
    """Who acts at the command line: the operator, with account management rights."""
    from cloudtoets.services.actor import Actor

    return Actor(user=f"cli:{register.settings.local_user}", roles=frozenset({"admin"}))


@user_app.command("create")
def user_create(
    username: Annotated[str, typer.Argument(help="Gebruikersnaam.")],
    role: Annotated[list[str], typer.Option("--role", help="Rol; herhaal voor meer rollen.")],
    organisation: Annotated[
        str | None,
        typer.Option("--organisation", help="Organisatie (bij lezer, bewerker, accordeerder)."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Weergavenaam.")] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Lees het wachtwoord van standaardinvoer "
            "(anders: OpenID Connect-account zonder wachtwoord).",
        ),
    ] = False,
    oidc_subject: Annotated[
        str | None, typer.Option("--oidc-subject", help="Koppel aan dit OpenID Connect-subject.")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Maak een account.

    Rollen: viewer, editor, approver (met --organisation), cio-rijk, auditor, admin.
    """
    from cloudtoets.services.accounts import AccountError, create_user

    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    register = _open_register(database)
    try:
        create_user(
            register,
            _operator(register),
            username,
            display_name=name,
            organisation=organisation,
            roles=role,
            password=password,
            oidc_subject=oidc_subject,
        )
    except AccountError as error:
        typer.echo(f"Niet gelukt: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        register.close()
    typer.echo(f"Account {username} gemaakt.")


@user_app.command("list")
def user_list(database: DatabaseOption = None) -> None:
    """Toon alle accounts met organisatie, rollen en status."""
    from cloudtoets.services.accounts import list_users

    register = _open_register(database)
    for user in list_users(register, _operator(register)):
        status = "uitgeschakeld" if user.disabled else "actief"
        kind = "wachtwoord" if user.password_hash else "OpenID Connect"
        typer.echo(
            f"{user.username}\t{user.organisation_id or '(centraal)'}\t"
            f"{','.join(user.roles)}\t{kind}\t{status}"
        )
    register.close()


@user_app.command("disable")
def user_disable(
    username: Annotated[str, typer.Argument(help="Gebruikersnaam.")],
    database: DatabaseOption = None,
) -> None:
    """Schakel een account uit; lopende sessies en tokens werken direct niet meer."""
    from cloudtoets.services.accounts import AccountError, set_disabled

    register = _open_register(database)
    try:
        set_disabled(register, _operator(register), username)
    except AccountError as error:
        typer.echo(f"Niet gelukt: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        register.close()
    typer.echo(f"Account {username} uitgeschakeld.")


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="Gebruikersnaam.")],
    name: Annotated[str, typer.Option("--name", help="Naam van het token, bijv. ci-pijplijn.")],
    days: Annotated[
        int | None,
        typer.Option(
            "--days",
            help="Zoveel dagen werkt het token (1 tot en met 366; standaard "
            "CLOUDTOETS_TOKEN_DAYS, 90).",
        ),
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Maak een persoonlijk API-token. Het token wordt één keer getoond."""
    from cloudtoets.services.accounts import AccountError, create_token

    register = _open_register(database)
    try:
        token = create_token(register, _operator(register), username, name, days)
    except AccountError as error:
        typer.echo(f"Niet gelukt: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        register.close()
    typer.echo(token)


@token_app.command("revoke")
def token_revoke(
    username: Annotated[str, typer.Argument(help="Gebruikersnaam.")],
    name: Annotated[str, typer.Option("--name", help="Naam van het token.")],
    database: DatabaseOption = None,
) -> None:
    """Trek een API-token in."""
    from cloudtoets.services.accounts import AccountError, revoke_token

    register = _open_register(database)
    try:
        count = revoke_token(register, _operator(register), username, name)
    except AccountError as error:
        typer.echo(f"Niet gelukt: {error}", err=True)
        raise typer.Exit(2) from None
    finally:
        register.close()
    typer.echo(f"{count} token(s) ingetrokken.")


@app.command("reminders")
def reminders_command(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Peildatum JJJJ-MM-DD (standaard: vandaag).")
    ] = None,
    send: Annotated[
        bool,
        typer.Option("--send", help="Verstuur ze ook per e-mail (elke herinnering één keer)."),
    ] = False,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Alleen deze organisatie.")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Toon de herinneringen (termijnen, herbeoordelingen, tests); --send mailt ze."""
    from cloudtoets.cli_monitoring import run_reminders

    raise typer.Exit(run_reminders(_open_register(database), _date(as_of), organisation, send))


class ReportFormat(StrEnum):
    PDF = "pdf"
    XLSX = "xlsx"


@app.command("report")
def report_command(
    report_format: Annotated[
        ReportFormat, typer.Option("--format", help="pdf (toegankelijk) of xlsx.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Het bestand dat u krijgt.")],
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Alleen deze organisatie.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Peildatum JJJJ-MM-DD (standaard: vandaag).")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Schrijf het rapport van de monitoring (alle organisaties of één) als PDF of Excel."""
    from cloudtoets.cli_monitoring import run_report

    register = _open_register(database)
    raise typer.Exit(run_report(register, report_format.value, output, organisation, _date(as_of)))


class TableOrJson(StrEnum):
    TABLE = "table"
    JSON = "json"


InventoryArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Inventaris (.yaml, .json, .xlsx of .csv); zonder: het register (--database)."
    ),
]


def _register_or_file(inventory: Path | None, database: str | None) -> Any:
    """Where ``portfolio`` and ``policy impact`` read: the inventory file (None: no register)
    or the register. Garbage collection is off from here on: the commands build many small
    objects once and end right after."""
    if inventory is not None and database is not None:
        raise typer.BadParameter("gebruik een inventaris of --database, niet allebei")
    if inventory is not None:
        _file_batch()
        return None
    gc.disable()
    return _open_register(database)


@app.command("portfolio")
def portfolio_command(
    inventory: InventoryArgument = None,
    database: DatabaseOption = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Alleen deze organisatie.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Peildatum JJJJ-MM-DD (standaard: vandaag).")
    ] = None,
    compare_as_of: Annotated[
        str | None,
        typer.Option("--compare-as-of", help="Tweede peildatum: hoe de concentratie verandert."),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option(
            "--policy",
            help="Ingebouwd beleid (id) of een beleidsbestand (standaard: het beleid "
            "van het register).",
        ),
    ] = None,
    without: Annotated[
        list[str] | None,
        typer.Option(
            "--without",
            help="Scenario: deze leverancier (id, op elk niveau van de keten) valt weg. Mag vaker.",
        ),
    ] = None,
    without_country: Annotated[
        list[str] | None,
        typer.Option(
            "--without-country",
            help="Scenario: het recht van dit land (ISO-code) reikt tot de data. Mag vaker.",
        ),
    ] = None,
    output_format: Annotated[
        TableOrJson, typer.Option("--format", help="Uitvoer: table of json.")
    ] = TableOrJson.TABLE,
) -> None:
    """Het portfolio: inzetmodel, oordelen, materieel gebruik en concentratie (per moederbedrijf,
    leverancier en land), en wat er gebeurt als een leverancier of land wegvalt.

    De oordelen worden opnieuw bepaald voor de peildatum. Exitcode 0: klaar; 2: onbruikbare
    invoer.
    """
    from cloudtoets.cli_monitoring import run_portfolio

    day = _date(as_of)
    second = _date(compare_as_of) if compare_as_of is not None else None
    register = _register_or_file(inventory, database)
    raise typer.Exit(
        run_portfolio(
            register,
            inventory,
            as_of=day,
            organisation=organisation,
            policy=policy,
            without=without or [],
            without_country=without_country or [],
            compare_as_of=second,
            as_json=output_format is TableOrJson.JSON,
        )
    )


@policy_app.command("impact")
def policy_impact_command(
    base: Annotated[str, typer.Argument(help="Het huidige beleid: ingebouwd (id) of een bestand.")],
    other: Annotated[str, typer.Argument(help="Het nieuwe beleid: ingebouwd (id) of een bestand.")],
    inventory: InventoryArgument = None,
    database: DatabaseOption = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Alleen deze organisatie.")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Peildatum JJJJ-MM-DD (standaard: vandaag).")
    ] = None,
    output_format: Annotated[
        TableOrJson, typer.Option("--format", help="Uitvoer: table of json.")
    ] = TableOrJson.TABLE,
) -> None:
    """Welke registraties een ander oordeel krijgen met het nieuwe beleid, voordat het geldt:
    hoeveel, van welk oordeel naar welk, per organisatie en welke."""
    from cloudtoets.cli_monitoring import run_policy_impact

    day = _date(as_of)
    register = _register_or_file(inventory, database)
    raise typer.Exit(
        run_policy_impact(
            register,
            inventory,
            base,
            other,
            as_of=day,
            organisation=organisation,
            as_json=output_format is TableOrJson.JSON,
        )
    )


class _Ending:
    """Whether the process may end without Python's teardown (see ``_file_batch``)."""

    without_teardown = False


def _file_batch() -> None:
    """A command that reads an inventory file and writes its answer, nothing else: it makes
    millions of small acyclic objects once, so the cyclic collector (which would rescan them
    over and over) is switched off, and once the answer is written the process ends without
    freeing them one by one (about 0.1 s for 100k registrations; mypy ends the same way).
    Never for a command that opened a database: its connections close as usual."""
    gc.disable()
    _Ending.without_teardown = True


def main() -> None:
    """Entry point: Dutch errors instead of tracebacks (CLOUDTOETS_DEBUG=1 shows them)."""
    try:
        app()
    except SystemExit as ending:
        code = ending.code
        if _Ending.without_teardown and (code is None or isinstance(code, int)):
            try:
                sys.stdout.flush()
                sys.stderr.flush()
            except OSError:  # the reader went away (a pipe into head): nothing left to say
                pass
            os._exit(code or 0)
        raise
    except KeyboardInterrupt:
        typer.echo("Afgebroken.", err=True)
        sys.exit(130)
    except Exception as exc:  # the last line of defence; input errors are handled per command
        from cloudtoets.config import SettingsError  # lazily: check starts without settings

        if isinstance(exc, SettingsError):
            typer.echo(str(exc), err=True)
            sys.exit(2)
        if os.environ.get("CLOUDTOETS_DEBUG"):
            raise
        typer.echo(
            f"Interne fout ({type(exc).__name__}). "
            "Dit is een fout in cloudtoets, niet in uw invoer. "
            "Zet CLOUDTOETS_DEBUG=1 voor details en meld het.",
            err=True,
        )
        sys.exit(3)


if __name__ == "__main__":
    main()
