"""Reminders by e-mail: one plain-text message per organisation and recipient, each reminder
once.

Recipients come from ``CLOUDTOETS_REMINDER_RECIPIENTS`` (organisation id -> addresses): accounts
carry no e-mail address, and a functional mailbox per organisation is what a ministry's CIO
office reads anyway. A message holds only the reminders that recipient has not had yet; each
one is recorded in ``reminder_deliveries`` right after its message is accepted by the SMTP
server, so a second run (cron) sends nothing new. Sent with the standard library (smtplib).
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import quote, urlencode

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from cloudtoets.config import Settings
from cloudtoets.engine.messages import dutch_date
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.reminders import Reminder, reminders
from cloudtoets.services.uow import read_only, unit_of_work
from cloudtoets.store import repositories as repo
from cloudtoets.store.workflows import ReminderDeliveryRow

SENDER_ACTOR = "herinneringen"


class MailNotConfigured(Exception):
    """Sending was asked for, but the settings do not allow it; the message says what to set."""


@dataclass(slots=True)
class Delivery:
    organisation: str
    recipient: str
    reminders: list[Reminder]


@dataclass(slots=True)
class SendReport:
    sent: list[Delivery] = field(default_factory=list)
    failed: list[tuple[Delivery, str]] = field(default_factory=list)
    already_sent: int = 0  # reminders every recipient has had before
    without_recipient: list[str] = field(default_factory=list)  # organisations

    @property
    def reminders_sent(self) -> int:
        return sum(len(d.reminders) for d in self.sent)


def mail_problems(settings: Settings) -> list[str]:
    """What is missing before cloudtoets can send e-mail (empty: ready)."""
    problems = []
    if not settings.smtp_host:
        problems.append("zet CLOUDTOETS_SMTP_HOST (de SMTP-server)")
    if not settings.smtp_from:
        problems.append("zet CLOUDTOETS_SMTP_FROM (het afzendadres)")
    if not settings.public_url:
        problems.append(
            "zet CLOUDTOETS_PUBLIC_URL (het adres van cloudtoets, voor de links in de e-mail)"
        )
    if not settings.reminder_recipients:
        problems.append(
            'zet CLOUDTOETS_REMINDER_RECIPIENTS, bijvoorbeeld {"fin": ["cloud@minfin.nl"]}'
        )
    return problems


def link(settings: Settings, path: str, **query: str) -> str:
    base = settings.public_url.rstrip("/")
    return f"{base}{path}" + (f"?{urlencode(query)}" if query else "")


def compose(
    settings: Settings,
    organisation_name: str,
    organisation_id: str,
    recipient: str,
    found: list[Reminder],
    as_of: dt.date,
) -> EmailMessage:
    """The message in Dutch (B1), plain text: every reminder with what to do and a link."""
    message = EmailMessage()
    word = "herinnering" if len(found) == 1 else "herinneringen"
    # a name from the register must not break the header (no line breaks in a subject)
    message["Subject"] = (
        f"cloudtoets: {len(found)} {word} voor {' '.join(organisation_name.split())}"
    )
    message["From"] = settings.smtp_from
    message["To"] = recipient
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2] or None)
    message["Content-Language"] = "nl"
    lines = [
        "Beste collega,",
        "",
        f"cloudtoets heeft {len(found)} {word} voor {organisation_name} "
        f"(peildatum {dutch_date(as_of)}).",
        "",
    ]
    for reminder in found:
        late = " (te laat)" if reminder.overdue(as_of) else ""
        lines += [
            f"* {reminder.title}{late}: {reminder.registration_name} ({reminder.registration})",
            f"  {reminder.text}",
            f"  {link(settings, '/registraties/' + quote(reminder.registration, safe=''))}",
            "",
        ]
    lines += [
        "U krijgt elke herinnering één keer per e-mail. Alle herinneringen staan ook in "
        "cloudtoets:",
        link(settings, "/", organisatie=organisation_id),
        "",
        "Dit bericht is automatisch verstuurd door cloudtoets. Antwoorden op dit bericht worden "
        "niet gelezen.",
    ]
    message.set_content("\n".join(lines))
    return message


def _delivered(register: Register, keys: list[str]) -> set[tuple[str, str]]:
    """(key, recipient) of the reminders already sent."""
    found: set[tuple[str, str]] = set()
    with read_only(register.sessions, None) as session:
        for start in range(0, len(keys), 500):  # stay below any database's parameter limit
            chunk = keys[start : start + 500]
            rows = session.execute(
                select(ReminderDeliveryRow.reminder_key, ReminderDeliveryRow.recipient).where(
                    ReminderDeliveryRow.reminder_key.in_(chunk)
                )
            )
            found.update((str(key), str(recipient)) for key, recipient in rows)
    return found


def _record(register: Register, delivery: Delivery) -> None:
    actor = Actor.local(SENDER_ACTOR)
    try:
        with unit_of_work(register.sessions, actor) as uow:
            for reminder in delivery.reminders:
                uow.session.add(
                    ReminderDeliveryRow(
                        organisation_id=delivery.organisation,
                        reminder_key=reminder.key,
                        recipient=delivery.recipient,
                    )
                )
    except IntegrityError:  # another run sent the same reminder at the same moment
        pass


def _send(settings: Settings, messages: list[tuple[Delivery, EmailMessage]]) -> list[str | None]:
    """Send over one connection; per message None (accepted) or why it failed."""
    outcome: list[str | None] = []
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=30) as smtp:
        if settings.smtp_starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password)
        for _, message in messages:
            try:
                smtp.send_message(message)
                outcome.append(None)
            except smtplib.SMTPException as error:
                outcome.append(f"{type(error).__name__}: {error}")
    return outcome


def send_reminders(
    register: Register, as_of: dt.date, organisation: str | None = None
) -> SendReport:
    """E-mail every reminder that its recipients have not had yet; MailNotConfigured when the
    settings are incomplete, OSError or smtplib.SMTPException when the server is unreachable
    or refuses the login (nothing is recorded then)."""
    settings = register.settings
    problems = mail_problems(settings)
    if problems:
        raise MailNotConfigured("E-mail is niet ingesteld: " + "; ".join(problems) + ".")
    actor = Actor.local(SENDER_ACTOR)
    found = reminders(register, actor, as_of, organisation)
    with read_only(register.sessions, None) as session:
        names = {row.id: row.name or row.id for row in repo.organisations(session, None)}
    by_organisation: dict[str, list[Reminder]] = {}
    for reminder in found:
        by_organisation.setdefault(reminder.organisation, []).append(reminder)
    report = SendReport()
    delivered = _delivered(register, [r.key for r in found])
    deliveries: list[Delivery] = []
    for org, own in sorted(by_organisation.items()):
        recipients = settings.reminder_recipients.get(org, [])
        if not recipients:
            report.without_recipient.append(org)
            continue
        for recipient in recipients:
            new = [r for r in own if (r.key, recipient) not in delivered]
            if new:
                deliveries.append(Delivery(org, recipient, new))
        report.already_sent += sum(
            all((r.key, recipient) in delivered for recipient in recipients) for r in own
        )
    if not deliveries:
        return report
    messages = []
    for d in deliveries:
        name = names.get(d.organisation, d.organisation)
        messages.append(
            (d, compose(settings, name, d.organisation, d.recipient, d.reminders, as_of))
        )
    for (delivery, _), failure in zip(messages, _send(settings, messages), strict=True):
        if failure is None:
            _record(register, delivery)
            report.sent.append(delivery)
        else:
            report.failed.append((delivery, failure))
    return report
