"""What ``cloudtoets reminders`` and ``cloudtoets report`` do (cli.py declares the options).

Both act as the operator at the command line (every organisation, or
``CLOUDTOETS_LOCAL_ORGANISATION``), print Dutch messages and return the exit code: 0 done,
2 a problem with the input or the settings, 1 some e-mails could not be sent.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from pathlib import Path

import typer

from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.errors import NotFound


def _operator(register: Register) -> Actor:
    settings = register.settings
    return Actor.local(settings.local_user, settings.local_organisation)


def _date_problem(as_of: dt.date) -> str | None:
    from cloudtoets.services.monitoring import check_as_of

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
