"""From ID-token claims to an account: the mapping, and two first logins at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from cloudtoets.config import Settings
from cloudtoets.services.context import Register
from cloudtoets.services.oidc_accounts import (
    Identity,
    OidcRefused,
    identity_from_claims,
    sign_in,
)
from cloudtoets.store.migrate import upgrade
from cloudtoets.store.tables import OrganisationRow
from tests.integration.oidc.conftest import count_users

ISSUER = "https://sso.example/realms/rijk"


def identity(claims: dict[str, object], **names: str) -> Identity:
    return identity_from_claims(
        {"iss": ISSUER, "sub": "abc", **claims},
        organisation_claim=names.get("organisation", "organisation"),
        roles_claim=names.get("roles", "roles"),
    )


def test_subject_is_issuer_and_sub() -> None:
    assert identity({}).subject == f"{ISSUER}|abc"


@pytest.mark.parametrize(
    ("claims", "username", "display_name"),
    [
        ({"preferred_username": "jan", "email": "jan@x.nl", "name": "Jan"}, "jan", "Jan"),
        ({"email": "jan@x.nl"}, "jan@x.nl", "jan@x.nl"),
        ({"preferred_username": "  "}, "abc", "abc"),
    ],
)
def test_names(claims: dict[str, object], username: str, display_name: str) -> None:
    found = identity(claims)
    assert (found.username, found.display_name) == (username, display_name)


@pytest.mark.parametrize(
    ("value", "roles"),
    [
        (["editor", "viewer", "editor"], ("editor", "viewer")),
        ("viewer  editor", ("editor", "viewer")),
        (None, ()),
    ],
)
def test_roles_as_list_or_space_separated_string(value: object, roles: tuple[str, ...]) -> None:
    assert identity({"roles": value}).roles == roles


def test_roles_and_organisation_in_nested_claims_keycloak_style() -> None:
    found = identity(
        {"realm_access": {"roles": ["cio-rijk"]}, "org": {"id": ["bzk"]}},
        roles="realm_access.roles",
        organisation="org.id",
    )
    assert (found.roles, found.organisation) == (("cio-rijk",), "bzk")


@pytest.mark.parametrize(("value", "organisation"), [("bzk", "bzk"), (["uwv"], "uwv"), ("", None)])
def test_organisation(value: object, organisation: str | None) -> None:
    assert identity({"organisation": value}).organisation == organisation


@pytest.mark.parametrize(
    "claims",
    [
        {"roles": [1, 2]},
        {"roles": {"editor": True}},
        {"organisation": ["bzk", "uwv"]},
        {"organisation": 12},
        {"sub": ""},
        {"sub": "x" * 300},
    ],
)
def test_claims_of_an_unknown_shape_are_refused(claims: dict[str, object]) -> None:
    with pytest.raises(OidcRefused):
        identity(claims)


@pytest.fixture
def register(database_url: str) -> Iterator[Register]:
    opened = Register.open(Settings(database_url=database_url))
    upgrade(opened.engine)
    with opened.sessions() as session, session.begin():
        session.add(OrganisationRow(id="bzk", name="BZK", type="ministry"))
    yield opened
    opened.close()


def test_simultaneous_first_logins_make_one_account(register: Register) -> None:
    person = identity({"preferred_username": "jan", "organisation": "bzk", "roles": ["viewer"]})
    start = threading.Barrier(4)
    ids: list[int] = []
    errors: list[BaseException] = []

    def log_in() -> None:
        start.wait()
        try:
            ids.append(sign_in(register, person))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=log_in) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(set(ids)) == 1
    assert count_users(register) == 1
