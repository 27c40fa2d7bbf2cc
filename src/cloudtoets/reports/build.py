"""The monitoring report of one organisation or of all, as the page, a PDF or a workbook shows
it: the figures and reminders of the organisations the actor may see."""

from __future__ import annotations

import datetime as dt

from cloudtoets.reports.view import MonitoringView
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.monitoring import monitoring
from cloudtoets.services.portfolio_pages import monitoring_portfolio
from cloudtoets.services.reminders import reminders

PDF_MEDIA_TYPE = "application/pdf"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def monitoring_view(
    register: Register, actor: Actor, as_of: dt.date, organisation: str | None = None
) -> MonitoringView:
    figures = monitoring(register, actor, as_of, organisation)
    found = reminders(register, actor, as_of, organisation)
    if organisation is not None:
        scope_name = figures.organisations.get(organisation, organisation)
    elif len(figures.organisations) == 1:
        scope_name = next(iter(figures.organisations.values()))
    else:
        scope_name = "alle organisaties"
    portfolio = monitoring_portfolio(register, actor, as_of, organisation)
    titles = {rule.id: rule.title for rule in register.policy.rules}
    return MonitoringView(figures, found, scope_name, register.policy.title, portfolio, titles)


def link_base(register: Register, served_at: str | None = None) -> str:
    """Where a report's links lead: ``CLOUDTOETS_PUBLIC_URL`` when set, else the address the
    download was asked on (``served_at``, e.g. ``http://10.0.0.5:8080/``); "" when neither is
    known (the CLI without the setting), and then a report has no links."""
    return (register.settings.public_url or served_at or "").rstrip("/")


def pdf_report(
    register: Register,
    actor: Actor,
    as_of: dt.date,
    organisation: str | None = None,
    served_at: str | None = None,
) -> bytes:
    """Tagged PDF (PDF/UA-1); PdfUnavailable when this machine cannot make PDFs."""
    from cloudtoets.reports.pdf import render_pdf

    view = monitoring_view(register, actor, as_of, organisation)
    return render_pdf(view, link_base(register, served_at), register.settings.reminder_days)


def xlsx_report(
    register: Register, actor: Actor, as_of: dt.date, organisation: str | None = None
) -> bytes:
    from cloudtoets.reports.xlsx import write_workbook

    view = monitoring_view(register, actor, as_of, organisation)
    return write_workbook(view, register.settings.reminder_days)
