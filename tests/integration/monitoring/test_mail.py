"""Reminder e-mails against a real SMTP server (aiosmtpd on 127.0.0.1, started and stopped by
these tests): one Dutch message per organisation and recipient, every reminder once, recorded in
reminder_deliveries; login; and what happens when the server is unreachable."""

from __future__ import annotations

import dataclasses
import datetime as dt
import email
import email.policy
import smtplib
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import delete, func, select
from typer.testing import CliRunner

from cloudtoets.cli import app
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register
from cloudtoets.services.reminder_mail import MailNotConfigured, send_reminders
from cloudtoets.services.reminders import reminders
from cloudtoets.store.workflows import ReminderDeliveryRow

AS_OF = dt.date(2027, 5, 1)  # every kind of reminder is due around then
PUBLIC_URL = "https://cloudtoets.example.nl"
USER, PASSWORD = "cloudtoets", "geheim-wachtwoord"


class Inbox:
    """What the SMTP server received: (envelope sender, recipients, parsed message)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], EmailMessage]] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            USER.encode(),
            PASSWORD.encode(),
        )
        if ok:
            self.logins.append(USER)
        return AuthResult(success=ok, handled=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=inbox.authenticate,
        auth_require_tls=False,  # loopback only, no certificate in a test
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@pytest.fixture
def clean(register: Register) -> Register:
    with register.sessions() as session, session.begin():
        session.execute(delete(ReminderDeliveryRow))
    return register


def with_mail(register: Register, port: int, **settings: Any) -> Register:
    values = {
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
        "smtp_from": "cloudtoets@cio-rijk.example.nl",
        "smtp_starttls": False,
        "public_url": PUBLIC_URL,
        "reminder_recipients": {
            "fin": ["cloud@fin.example.nl"],
            "uwv": ["cio-office@uwv.example.nl"],
        },
        **settings,
    }
    return dataclasses.replace(register, settings=register.settings.model_copy(update=values))


def _deliveries(register: Register) -> int:
    with register.sessions() as session:
        return session.scalar(select(func.count()).select_from(ReminderDeliveryRow)) or 0


def test_one_dutch_message_per_organisation_with_every_reminder_once(
    clean: Register, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    register = with_mail(clean, port)
    due = {org: reminders(register, Actor.local("t", org), AS_OF) for org in ("fin", "uwv")}
    assert due["fin"] and due["uwv"]

    report = send_reminders(register, AS_OF)
    assert len(inbox.received) == 2
    by_recipient = {rcpt[0]: message for _, rcpt, message in inbox.received}
    for org, address in (("fin", "cloud@fin.example.nl"), ("uwv", "cio-office@uwv.example.nl")):
        message = by_recipient[address]
        assert message["From"] == "cloudtoets@cio-rijk.example.nl"
        assert message["To"] == address
        assert message["Subject"].startswith(f"cloudtoets: {len(due[org])} herinneringen voor ")
        body = message.get_content()
        assert body.startswith("Beste collega,")
        assert "peildatum 1 mei 2027" in body
        for reminder in due[org]:
            assert reminder.text in body
            assert f"{PUBLIC_URL}/registraties/{reminder.registration}" in body
        assert f"{PUBLIC_URL}/?organisatie={org}" in body
    assert report.reminders_sent == len(due["fin"]) + len(due["uwv"]) == _deliveries(register)
    assert set(report.without_recipient) >= {"vws", "duo"}

    # a second run (the next day's cron) sends nothing new
    again = send_reminders(register, AS_OF)
    assert len(inbox.received) == 2 and not again.sent
    assert again.already_sent == report.reminders_sent


def test_a_new_recipient_gets_what_the_others_already_had(
    clean: Register, smtp_server: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_server
    send_reminders(with_mail(clean, port), AS_OF, "fin")
    assert len(inbox.received) == 1
    both = {"fin": ["cloud@fin.example.nl", "cio@fin.example.nl"]}
    report = send_reminders(with_mail(clean, port, reminder_recipients=both), AS_OF, "fin")
    assert [d.recipient for d in report.sent] == ["cio@fin.example.nl"]
    assert [rcpt for _, rcpt, _ in inbox.received] == [
        ["cloud@fin.example.nl"],
        ["cio@fin.example.nl"],
    ]


def test_only_new_reminders_are_sent_as_time_goes_by(
    clean: Register, smtp_server: tuple[Inbox, int]
) -> None:
    _, port = smtp_server
    register = with_mail(clean, port)
    first = send_reminders(register, dt.date(2026, 11, 29), "fin")
    later = send_reminders(register, AS_OF, "fin")
    sent_first = {r.key for d in first.sent for r in d.reminders}
    sent_later = {r.key for d in later.sent for r in d.reminders}
    assert sent_first and sent_later and not sent_first & sent_later
    assert {
        r.key for r in reminders(register, Actor.local("t", "fin"), AS_OF)
    } <= sent_first | sent_later


def test_it_logs_in_when_a_user_is_set(clean: Register, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    register = with_mail(clean, port, smtp_user=USER, smtp_password=PASSWORD)
    send_reminders(register, AS_OF, "fin")
    assert inbox.logins == [USER] and len(inbox.received) == 1
    wrong = with_mail(
        clean,
        port,
        smtp_user=USER,
        smtp_password="fout",
        reminder_recipients={"uwv": ["x@uwv.example.nl"]},
    )
    with pytest.raises(smtplib.SMTPAuthenticationError):
        send_reminders(wrong, AS_OF, "uwv")


def test_nothing_is_recorded_when_the_server_cannot_be_reached(clean: Register) -> None:
    register = with_mail(clean, _free_port())
    with pytest.raises(OSError):
        send_reminders(register, AS_OF)
    assert _deliveries(register) == 0


def test_starttls_is_required_by_default(clean: Register, smtp_server: tuple[Inbox, int]) -> None:
    inbox, port = smtp_server
    with pytest.raises(smtplib.SMTPNotSupportedError):  # the test server offers no STARTTLS
        send_reminders(with_mail(clean, port, smtp_starttls=True), AS_OF)
    assert not inbox.received and _deliveries(clean) == 0


def test_missing_settings_are_named(clean: Register) -> None:
    with pytest.raises(MailNotConfigured, match="CLOUDTOETS_SMTP_FROM"):
        send_reminders(with_mail(clean, 25, smtp_from=""), AS_OF)
    # without the public address a mail's links would lead nowhere
    with pytest.raises(MailNotConfigured, match="CLOUDTOETS_PUBLIC_URL"):
        send_reminders(with_mail(clean, 25, public_url=""), AS_OF)


def test_the_cli_sends_with_the_settings_from_the_environment(
    clean: Register,
    smtp_server: tuple[Inbox, int],
    monitored_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    inbox, port = smtp_server
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_FROM": "cloudtoets@cio-rijk.example.nl",
        "SMTP_STARTTLS": "false",
        "REMINDER_RECIPIENTS": '{"uwv": "cio-office@uwv.example.nl"}',
        "PUBLIC_URL": PUBLIC_URL,
    }.items():
        monkeypatch.setenv(f"CLOUDTOETS_{name}", value)
    args = ["reminders", "--database", monitored_url, "--as-of", AS_OF.isoformat(), "--send"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "1 e-mails verstuurd" in result.output
    assert [rcpt for _, rcpt, _ in inbox.received] == [["cio-office@uwv.example.nl"]]
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 0 and "0 e-mails verstuurd" in again.output
    assert len(inbox.received) == 1


def test_the_cli_says_so_when_the_server_is_down(
    clean: Register, monitored_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLOUDTOETS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CLOUDTOETS_SMTP_PORT", str(_free_port()))
    monkeypatch.setenv("CLOUDTOETS_SMTP_FROM", "cloudtoets@cio-rijk.example.nl")
    monkeypatch.setenv("CLOUDTOETS_REMINDER_RECIPIENTS", '{"fin": ["cloud@fin.example.nl"]}')
    monkeypatch.setenv("CLOUDTOETS_PUBLIC_URL", PUBLIC_URL)
    result = CliRunner().invoke(
        app, ["reminders", "--database", monitored_url, "--as-of", "2027-05-01", "--send"]
    )
    assert result.exit_code == 1
    assert "werkt niet mee" in result.output and "Traceback" not in result.output


def test_a_name_from_the_register_cannot_add_a_header() -> None:
    from cloudtoets.config import Settings
    from cloudtoets.services.reminder_mail import compose
    from cloudtoets.services.reminders import Reminder

    reminder = Reminder("transition", "fin", "fin-x", "X", dt.date(2027, 1, 1), "Pas het aan.")
    message = compose(
        Settings(smtp_from="a@example.nl"),
        "Financiën\r\nBcc: x@example.nl",
        "fin",
        "b@example.nl",
        [reminder],
        AS_OF,
    )
    assert message["Subject"] == "cloudtoets: 1 herinnering voor Financiën Bcc: x@example.nl"
    assert message["Bcc"] is None
