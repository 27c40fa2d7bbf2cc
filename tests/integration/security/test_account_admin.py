"""Account management in the web app: the administrator's pages, one's own account page, token
end dates and the second factor (TOTP) at login (SQLite and PostgreSQL, demo register).

TOTP codes are made with pyotp from the register's fixed clock, never from the system's.
"""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from cloudtoets.cli import app as cli
from cloudtoets.server.app import create_app
from cloudtoets.services import accounts
from cloudtoets.services.context import Register
from cloudtoets.services.uow import system_session
from cloudtoets.store.tables import AuditRow

from .conftest import (
    ADMIN,
    API,
    ORIGIN,
    PASSWORDS,
    SESSION_COOKIE,
    LoggedIn,
    bearer,
    browser,
    csrf_of,
    log_in,
    open_register,
    token_for,
)

NEW_PASSWORD = "een-nieuw-wachtwoord-2026"
_SECRET = re.compile(r'<code class="ct-secret">([A-Z2-7 ]+)</code>')


def _post(who: LoggedIn, path: str, data: dict[str, object] | None = None) -> object:
    return who.client.post(
        path, data={**(data or {}), "csrf_token": who.csrf}, headers={"Origin": ORIGIN}
    )


def _audit(register: Register, action: str, object_id: str) -> list[AuditRow]:
    with system_session(register.sessions) as session:
        return list(
            session.scalars(
                select(AuditRow).where(AuditRow.action == action, AuditRow.object_id == object_id)
            )
        )


def _can_log_in(app: FastAPI, username: str, password: str) -> bool:
    response = browser(app).post(
        "/inloggen",
        data={"gebruikersnaam": username, "wachtwoord": password},
        headers={"Origin": ORIGIN},
    )
    # logged in at once: not sent on to the second step
    return response.status_code == 303 and not response.headers["location"].startswith(
        "/inloggen/code"
    )


# --- the administrator -----------------------------------------------------------------------


def test_the_administrator_lists_and_creates_accounts(register: Register, app: FastAPI) -> None:
    admin = log_in(browser(app), "beheerder")
    listed = admin.client.get("/beheer/accounts")
    assert listed.status_code == 200
    assert "accordeerder" in listed.text and "beheerder" in listed.text
    assert ">approver<" not in listed.text and ">editor<" not in listed.text  # Dutch names

    assert admin.client.get("/beheer/accounts/nieuw").status_code == 200
    created = _post(
        admin,
        "/beheer/accounts/nieuw",
        {
            "gebruikersnaam": "nieuwe-lezer",
            "naam": "Nieuwe lezer",
            "organisatie": "fin",
            "rollen": ["viewer"],
            "wachtwoord": NEW_PASSWORD,
        },
    )
    assert created.status_code == 303  # type: ignore[attr-defined]
    assert created.headers["location"] == "/beheer/accounts/nieuwe-lezer"  # type: ignore[attr-defined]
    detail = admin.client.get("/beheer/accounts/nieuwe-lezer")
    assert "Het account is gemaakt." in detail.text and "lezer" in detail.text
    assert _can_log_in(app, "nieuwe-lezer", NEW_PASSWORD)
    [record] = _audit(register, "create", "nieuwe-lezer")
    assert record.actor == "beheerder" and record.after == {
        "username": "nieuwe-lezer",
        "organisation": "fin",
        "roles": ["viewer"],
    }


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"organisatie": "", "rollen": ["editor"]}, "horen bij een organisatie"),
        ({"organisatie": "fin", "rollen": ["auditor"]}, "horen niet bij één organisatie"),
        ({"organisatie": "nergens", "rollen": ["viewer"]}, "onbekende organisatie"),
        ({"organisatie": "fin", "rollen": []}, "geef minstens één rol"),
        ({"gebruikersnaam": "lezer"}, "er is al een account"),
        ({"wachtwoord": "kort"}, "minstens 12 tekens"),
        ({"wachtwoord": ""}, "Geef een wachtwoord"),
    ],
)
def test_a_bad_new_account_is_refused_in_dutch(
    register: Register, app: FastAPI, form: dict[str, object], message: str
) -> None:
    admin = log_in(browser(app), "beheerder")
    data = {
        "gebruikersnaam": "iemand",
        "organisatie": "fin",
        "rollen": ["viewer"],
        "wachtwoord": NEW_PASSWORD,
        **form,
    }
    refused = admin.client.post(
        "/beheer/accounts/nieuw",
        data={**data, "csrf_token": admin.csrf},
        headers={"Origin": ORIGIN},
    )
    assert refused.status_code == 422
    assert message in refused.text and "<title>Fout:" in refused.text
    assert not _audit(register, "create", "iemand")


def test_roles_organisation_status_password_and_tokens(register: Register, app: FastAPI) -> None:
    admin = log_in(browser(app), "beheerder")
    lezer = log_in(browser(app), "lezer")
    token = token_for(register, "lezer", "script")

    changed = _post(
        admin,
        "/beheer/accounts/lezer/rollen",
        {"naam": "Lezer UWV", "organisatie": "uwv", "rollen": ["viewer", "editor"]},
    )
    assert changed.status_code == 303  # type: ignore[attr-defined]
    assert lezer.client.get("/account").status_code == 303  # its session ended
    [record] = _audit(register, "update", "lezer")
    assert record.before == {
        "organisation": "fin",
        "roles": ["viewer"],
        "display_name": record.before["display_name"],
    }  # type: ignore[index]
    assert record.after == {
        "organisation": "uwv",
        "roles": ["editor", "viewer"],
        "display_name": "Lezer UWV",
    }
    again = log_in(browser(app), "lezer")
    assert (
        "bewerker, lezer" in again.client.get("/account").text
        or "lezer, bewerker" in again.client.get("/account").text
    )

    bad = _post(admin, "/beheer/accounts/lezer/rollen", {"organisatie": "", "rollen": ["viewer"]})
    assert bad.status_code == 422 and "horen bij een organisatie" in bad.text  # type: ignore[attr-defined]

    assert _post(admin, "/beheer/accounts/lezer/uitschakelen").status_code == 303  # type: ignore[attr-defined]
    assert not _can_log_in(app, "lezer", PASSWORDS["lezer"])
    assert browser(app).get(f"{API}/registrations", headers=bearer(token)).status_code == 401
    assert _post(admin, "/beheer/accounts/lezer/inschakelen").status_code == 303  # type: ignore[attr-defined]
    assert _can_log_in(app, "lezer", PASSWORDS["lezer"])
    own = _post(admin, "/beheer/accounts/beheerder/uitschakelen")
    assert own.status_code == 422 and "niet uitschakelen" in own.text  # type: ignore[attr-defined]

    assert (
        _post(admin, "/beheer/accounts/lezer/wachtwoord", {"wachtwoord": "kort"}).status_code == 422
    )  # type: ignore[attr-defined]
    set_new = _post(admin, "/beheer/accounts/lezer/wachtwoord", {"wachtwoord": NEW_PASSWORD})
    assert set_new.status_code == 303  # type: ignore[attr-defined]
    assert _can_log_in(app, "lezer", NEW_PASSWORD)
    assert not _can_log_in(app, "lezer", PASSWORDS["lezer"])
    assert _audit(register, "reset-password", "lezer")

    working = token_for(register, "lezer", "nieuw")
    [newest, *_] = accounts.tokens_of(register, ADMIN, "lezer")
    assert "nieuw" in admin.client.get("/beheer/accounts/lezer").text
    revoked = _post(admin, f"/beheer/accounts/lezer/tokens/{newest.id}/intrekken")
    assert revoked.status_code == 303  # type: ignore[attr-defined]
    assert browser(app).get(f"{API}/registrations", headers=bearer(working)).status_code == 401
    assert (
        _post(
            admin, "/beheer/accounts/niemand/wachtwoord", {"wachtwoord": NEW_PASSWORD}
        ).status_code
        == 404
    )  # type: ignore[attr-defined]
    assert admin.client.get("/beheer/accounts/niemand").status_code == 404


@pytest.mark.parametrize("username", ["lezer", "bewerker", "accordeerder", "cio-rijk", "auditor"])
def test_only_the_administrator_manages_accounts(
    register: Register, app: FastAPI, username: str
) -> None:
    other = log_in(browser(app), username)
    for path in ("/beheer/accounts", "/beheer/accounts/nieuw", "/beheer/accounts/lezer"):
        page = other.client.get(path)
        assert page.status_code == 403 and "beheerder" in page.text
    for path, data in (
        (
            "/beheer/accounts/nieuw",
            {"gebruikersnaam": "x", "rollen": ["admin"], "wachtwoord": NEW_PASSWORD},
        ),
        ("/beheer/accounts/lezer/rollen", {"rollen": ["admin"]}),
        ("/beheer/accounts/lezer/uitschakelen", {}),
        ("/beheer/accounts/lezer/wachtwoord", {"wachtwoord": NEW_PASSWORD}),
    ):
        assert _post(other, path, data).status_code == 403  # type: ignore[attr-defined]
    assert _can_log_in(app, "lezer", PASSWORDS["lezer"])
    with system_session(register.sessions) as session:
        assert not session.scalars(
            select(AuditRow).where(AuditRow.object_type == "user", AuditRow.actor == username)
        ).all()


# --- one's own account -------------------------------------------------------------------------


def test_the_account_page_names_roles_in_dutch(app: FastAPI) -> None:
    page = log_in(browser(app), "accordeerder").client.get("/account")
    assert "accordeerder" in page.text and "approver" not in page.text
    page = log_in(browser(app), "cio-rijk").client.get("/account")
    assert "CIO Rijk" in page.text


def test_own_password_sessions_and_tokens(register: Register, app: FastAPI) -> None:
    here = log_in(browser(app), "bewerker")
    elsewhere = log_in(browser(app), "bewerker")
    page = here.client.get("/account")
    assert "deze sessie" in page.text and "Beëindig sessie van" in page.text

    mismatch = _post(
        here,
        "/account/wachtwoord",
        {"huidig": PASSWORDS["bewerker"], "nieuw": NEW_PASSWORD, "herhaling": "anders-dan-dat-1"},
    )
    assert mismatch.status_code == 422 and "niet gelijk" in mismatch.text  # type: ignore[attr-defined]
    wrong = _post(
        here,
        "/account/wachtwoord",
        {"huidig": "fout-fout-fout", "nieuw": NEW_PASSWORD, "herhaling": NEW_PASSWORD},
    )
    assert wrong.status_code == 422 and "huidige wachtwoord klopt niet" in wrong.text  # type: ignore[attr-defined]
    changed = _post(
        here,
        "/account/wachtwoord",
        {"huidig": PASSWORDS["bewerker"], "nieuw": NEW_PASSWORD, "herhaling": NEW_PASSWORD},
    )
    assert changed.status_code == 303  # type: ignore[attr-defined]
    assert here.client.get("/account").status_code == 200  # this session stays
    assert elsewhere.client.get("/account").status_code == 303  # the other one ended
    assert _can_log_in(app, "bewerker", NEW_PASSWORD)
    assert _audit(register, "change-password", "bewerker")

    third = log_in(browser(app), "bewerker", NEW_PASSWORD)
    session_id = accounts.digest(third.session)
    assert _post(here, f"/account/sessies/{session_id}/beeindigen").status_code == 303  # type: ignore[attr-defined]
    assert third.client.get("/account").status_code == 303
    # another user's session cannot be ended from here
    lezer = log_in(browser(app), "lezer")
    assert (
        _post(here, f"/account/sessies/{accounts.digest(lezer.session)}/beeindigen").status_code
        == 404
    )  # type: ignore[attr-defined]
    assert lezer.client.get("/account").status_code == 200

    made = _post(here, "/account/tokens", {"naam": "pijplijn", "dagen": "10"})
    token = re.search(r"ct_[A-Za-z0-9_-]{43}", made.text).group(0)  # type: ignore[attr-defined,union-attr]
    [view] = accounts.tokens_of(register, ADMIN, "bewerker")
    assert view.expires_at == register.now() + dt.timedelta(days=10)
    assert _post(here, "/account/tokens", {"dagen": "400"}).status_code == 422  # type: ignore[attr-defined]
    others = token_for(register, "lezer", "van-lezer")
    [lezers] = accounts.tokens_of(register, ADMIN, "lezer")
    assert _post(here, f"/account/tokens/{lezers.id}/intrekken").status_code == 404  # type: ignore[attr-defined]
    assert browser(app).get(f"{API}/registrations", headers=bearer(others)).status_code == 200
    assert _post(here, f"/account/tokens/{view.id}/intrekken").status_code == 303  # type: ignore[attr-defined]
    assert browser(app).get(f"{API}/registrations", headers=bearer(token)).status_code == 401


def test_a_token_ends_on_its_day(register: Register, app: FastAPI) -> None:
    client = browser(app)
    default = token_for(register, "lezer", "standaard")
    short = accounts.create_token(register, ADMIN, "lezer", "kort", days=2)
    assert accounts.tokens_of(register, ADMIN, "lezer")[
        1
    ].expires_at == register.now() + dt.timedelta(days=90)
    with pytest.raises(accounts.AccountError, match="1 tot en met 366"):
        accounts.create_token(register, ADMIN, "lezer", "te-lang", days=367)
    register.clock.advance(dt.timedelta(days=3))  # type: ignore[attr-defined]
    refused = client.get(f"{API}/registrations", headers=bearer(short))
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    expired_on = (register.now() - dt.timedelta(days=1)).date()
    assert f"verlopen op {expired_on:%d-%m-%Y}" in refused.json()["detail"]
    assert client.get(f"{API}/registrations", headers=bearer(default)).status_code == 200
    register.clock.advance(dt.timedelta(days=88))  # type: ignore[attr-defined]
    assert client.get(f"{API}/registrations", headers=bearer(default)).status_code == 401


# --- the second factor ------------------------------------------------------------------------


def _code(register: Register, secret: str, seconds: int = 0) -> str:
    moment = register.now() + dt.timedelta(seconds=seconds)
    return pyotp.TOTP(secret.replace(" ", "")).at(moment)


def _log_in_with_code(
    app: FastAPI,
    register: Register,
    username: str,
    password: str,
    code: str | None,
    secret: str | None = None,
) -> tuple[TestClient, object]:
    client = browser(app)
    first = client.post(
        "/inloggen",
        data={"gebruikersnaam": username, "wachtwoord": password, "volgende": "/account"},
        headers={"Origin": ORIGIN},
    )
    assert first.status_code == 303
    assert first.headers["location"] == "/inloggen/code?volgende=%2Faccount"
    assert client.get("/account").status_code == 303  # nothing opens before the code
    form = client.get("/inloggen/code")
    assert form.status_code == 200
    if code is None:
        found = _SECRET.search(form.text)
        assert found is not None
        code = _code(register, found.group(1))
    second = client.post(
        "/inloggen/code", data={"code": code, "volgende": "/account"}, headers={"Origin": ORIGIN}
    )
    return client, second


def test_a_user_sets_up_the_second_factor_and_logs_in_with_it(
    register: Register, app: FastAPI
) -> None:
    me = log_in(browser(app), "bewerker")
    started = _post(me, "/account/tweestapsverificatie")
    assert started.status_code == 200  # type: ignore[attr-defined]
    secret = _SECRET.search(started.text).group(1)  # type: ignore[attr-defined,union-attr]
    assert "otpauth://totp/cloudtoets:bewerker?secret=" in started.text  # type: ignore[attr-defined]
    wrong = _post(me, "/account/tweestapsverificatie/bevestigen", {"code": "123"})
    assert wrong.status_code == 422 and secret in wrong.text  # type: ignore[attr-defined]
    confirmed = _post(
        me, "/account/tweestapsverificatie/bevestigen", {"code": _code(register, secret)}
    )
    assert confirmed.status_code == 303  # type: ignore[attr-defined]
    assert _audit(register, "enable-second-factor", "bewerker")

    # the code just used does not work again (same 30-second step)
    _, replay = _log_in_with_code(
        app, register, "bewerker", PASSWORDS["bewerker"], _code(register, secret)
    )
    assert replay.status_code == 401 and "De code klopt niet" in replay.text  # type: ignore[attr-defined]
    register.clock.advance(dt.timedelta(seconds=30))  # type: ignore[attr-defined]
    client, ok = _log_in_with_code(
        app, register, "bewerker", PASSWORDS["bewerker"], _code(register, secret)
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/account"  # type: ignore[attr-defined]
    assert client.get("/account").status_code == 200
    # a code of the previous step still counts (a phone a little behind), once
    register.clock.advance(dt.timedelta(seconds=30))  # type: ignore[attr-defined]
    _, late = _log_in_with_code(
        app, register, "bewerker", PASSWORDS["bewerker"], _code(register, secret, -30)
    )
    assert late.status_code == 401  # that step was just used
    _, early = _log_in_with_code(
        app, register, "bewerker", PASSWORDS["bewerker"], _code(register, secret, 30)
    )
    assert early.status_code == 303  # type: ignore[attr-defined]

    # switching it off asks for a code too
    me = LoggedIn(
        client, client.cookies.get(SESSION_COOKIE) or "", csrf_of(client.get("/account").text)
    )
    register.clock.advance(dt.timedelta(seconds=60))  # type: ignore[attr-defined]
    assert (
        _post(me, "/account/tweestapsverificatie/uitzetten", {"code": "000000x"}).status_code == 422
    )  # type: ignore[attr-defined]
    off = _post(me, "/account/tweestapsverificatie/uitzetten", {"code": _code(register, secret)})
    assert off.status_code == 303  # type: ignore[attr-defined]
    assert _can_log_in(app, "bewerker", PASSWORDS["bewerker"])


def test_the_administrator_switches_off_a_lost_second_factor(
    register: Register, app: FastAPI
) -> None:
    me = log_in(browser(app), "lezer")
    secret = _SECRET.search(_post(me, "/account/tweestapsverificatie").text).group(1)  # type: ignore[attr-defined,union-attr]
    _post(me, "/account/tweestapsverificatie/bevestigen", {"code": _code(register, secret)})
    assert not _can_log_in(app, "lezer", PASSWORDS["lezer"])  # the code is asked for now
    admin = log_in(browser(app), "beheerder")
    assert "Zet de tweede stap uit" in admin.client.get("/beheer/accounts/lezer").text
    assert _post(admin, "/beheer/accounts/lezer/tweestapsverificatie/uitzetten").status_code == 303  # type: ignore[attr-defined]
    assert _can_log_in(app, "lezer", PASSWORDS["lezer"])
    assert _audit(register, "reset-second-factor", "lezer")


def test_when_required_an_administrator_sets_it_up_at_login(
    register: Register, filled_database_url: str
) -> None:
    strict = open_register(filled_database_url, totp_required=True)
    try:
        app = create_app(register=strict)
        assert _can_log_in(app, "lezer", PASSWORDS["lezer"])  # not for a viewer
        client, done = _log_in_with_code(app, strict, "beheerder", PASSWORDS["beheerder"], None)
        assert done.status_code == 303  # type: ignore[attr-defined]
        page = client.get("/account")
        assert page.status_code == 200
        assert "Voor uw rol is de tweede stap verplicht" in page.text
        assert "Zet de tweede stap uit" not in page.text
        assert _audit(strict, "enable-second-factor", "beheerder")
        again = browser(app).post(
            "/inloggen",
            data={"gebruikersnaam": "accordeerder", "wachtwoord": PASSWORDS["accordeerder"]},
            headers={"Origin": ORIGIN},
        )
        assert again.headers["location"].startswith("/inloggen/code")
    finally:
        strict.close()


def test_wrong_codes_are_throttled(register: Register, app: FastAPI) -> None:
    me = log_in(browser(app), "lezer")
    secret = _SECRET.search(_post(me, "/account/tweestapsverificatie").text).group(1)  # type: ignore[attr-defined,union-attr]
    _post(me, "/account/tweestapsverificatie/bevestigen", {"code": _code(register, secret)})
    register.clock.advance(dt.timedelta(seconds=60))  # type: ignore[attr-defined]
    client = browser(app)
    client.post(
        "/inloggen",
        data={"gebruikersnaam": "lezer", "wachtwoord": PASSWORDS["lezer"]},
        headers={"Origin": ORIGIN},
    )
    answers = [
        client.post("/inloggen/code", data={"code": "000000"}, headers={"Origin": ORIGIN})
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [401] * 6
    assert "Te veel mislukte pogingen" in answers[-1].text
    right = client.post(
        "/inloggen/code", data={"code": _code(register, secret)}, headers={"Origin": ORIGIN}
    )
    assert right.status_code == 401  # still throttled, even with the right code


def test_the_cli_makes_a_token_for_a_number_of_days(
    register: Register, filled_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the command's clock starts at a fixed moment (CLOUDTOETS_NOW), not the system's
    monkeypatch.setenv("CLOUDTOETS_NOW", "2026-11-29T12:00:00+00:00")
    runner, url = CliRunner(), filled_database_url
    made = runner.invoke(
        cli,
        ["token", "create", "lezer", "--name", "pijplijn", "--days", "5", "--database", url],
    )
    assert made.exit_code == 0, made.output
    assert made.output.startswith("ct_")
    [view] = accounts.tokens_of(register, ADMIN, "lezer")
    assert view.name == "pijplijn"
    # the clock starts at CLOUDTOETS_NOW and runs on: the token ends five days after it was made
    assert view.created_at.date() == dt.date(2026, 11, 29)
    assert view.expires_at == view.created_at + dt.timedelta(days=5)
    refused = runner.invoke(
        cli,
        ["token", "create", "lezer", "--name", "te-lang", "--days", "400", "--database", url],
    )
    assert refused.exit_code == 2
    assert "1 tot en met 366 dagen" in refused.output
