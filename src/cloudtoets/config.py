"""Settings from ``CLOUDTOETS_*`` environment variables, built once by the entry point.

Nothing reads the environment at import time: ``Settings()`` is called in ``cli.main`` and in
``create_app`` when no settings are passed.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from cloudtoets.domain.clock import SYSTEM_CLOCK, Clock, ShiftedClock

DEFAULT_DATABASE = "sqlite:///cloudtoets.sqlite"


def forwarded_addresses(text: str) -> str:
    """Proxy addresses as uvicorn's ``forwarded_allow_ips`` reads them: ``*``, or IP addresses
    and networks (``10.0.0.0/24``) with commas between; "" for none. ValueError (Dutch) for
    anything else, which uvicorn would silently take for the name of a socket."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    if "*" in items:
        return "*"  # uvicorn trusts everyone only for a lone *
    written = []
    for item in items:
        try:
            if "/" in item:
                written.append(str(ipaddress.ip_network(item, strict=False)))
            else:
                written.append(str(ipaddress.ip_address(item)))
        except ValueError:
            raise ValueError(
                f"'{item}' is geen IP-adres of netwerk; schrijf bijvoorbeeld 10.0.0.5, "
                "10.0.0.0/24 of * (meer adressen met komma's ertussen)"
            ) from None
    return ",".join(written)


class Settings(BaseSettings):
    """Every setting with its help text (docs/configuration.md lists them)."""

    model_config = SettingsConfigDict(env_prefix="CLOUDTOETS_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE,
        description="Database: sqlite:///pad.sqlite (standaard, in de werkmap) of "
        "postgresql://gebruiker@host/database.",
    )
    policy: str = Field(
        "rijksbreed-cloudbeleid-2026",
        description="Het beleid waaraan het register toetst (ingebouwd id of bestand).",
    )
    demo: bool = Field(False, description="Demomodus: vult een lege database met demodata.")
    auth_mode: Literal["accounts", "local"] = Field(
        "accounts",
        description="accounts: inloggen met een account (lokaal of OpenID Connect). local: geen "
        "inlog, één lokale gebruiker; alleen voor een eigen werkplek (serve luistert dan alleen "
        "op 127.0.0.1).",
    )
    secure_cookies: bool = Field(
        True,
        description="Sessiecookie als __Host-sid met Secure. Zet alleen uit voor http zonder "
        "TLS op een andere host dan localhost (de cookie heet dan cloudtoets-sid).",
    )
    secret_key: str = Field(
        "",
        description="Geheim voor de korte OpenID Connect-handshake. Verplicht buiten de "
        "demomodus zodra OpenID Connect aan staat.",
    )
    oidc_issuer: str = Field(
        "", description="OpenID Connect-provider (issuer-URL); leeg: alleen lokale accounts."
    )
    oidc_client_id: str = Field("", description="Client-id bij de OpenID Connect-provider.")
    oidc_client_secret: str = Field("", description="Client-secret bij de OpenID Connect-provider.")
    oidc_organisation_claim: str = Field(
        "organisation", description="Claim met het kenmerk van de organisatie van de gebruiker."
    )
    oidc_roles_claim: str = Field("roles", description="Claim met de rollen van de gebruiker.")
    local_user: str = Field(
        "beheerder",
        description="Naam van de lokale gebruiker bij auth_mode local en op de opdrachtregel.",
    )
    local_organisation: str | None = Field(
        None,
        description="Beperk de lokale gebruiker tot deze organisatie (leeg: alle organisaties).",
    )
    totp_required: bool = Field(
        False,
        description="Beheerders en accordeerders met een lokaal account moeten inloggen met een "
        "tweede stap (een code uit een authenticator-app). Wie die nog niet heeft, stelt haar in "
        "bij de eerstvolgende inlog.",
    )
    token_days: int = Field(
        90,
        ge=1,
        le=366,
        description="Standaard aantal dagen dat een nieuw persoonlijk API-token werkt.",
    )
    max_upload_bytes: int = Field(
        20 * 1024 * 1024, description="Grootste toegestane upload bij importeren, in bytes."
    )
    page_size: int = Field(50, ge=1, le=500, description="Registraties per pagina.")
    forwarded_allow_ips: str = Field(
        "",
        description="Adressen van uw reverse proxy (IP-adressen of netwerken met komma's "
        "ertussen, of *) waarvan cloudtoets X-Forwarded-For en X-Forwarded-Proto gelooft. Leeg: "
        "van niemand; cloudtoets ziet dan het adres dat verbinding maakt.",
    )
    public_url: str = Field(
        "",
        description="Het adres van cloudtoets zoals gebruikers het openen, bijvoorbeeld "
        "https://cloudtoets.example.nl; voor de links in herinneringsmails en PDF-rapporten. "
        "Leeg: een rapport dat u downloadt, linkt naar het adres waarop u het vroeg; e-mail "
        "versturen kan dan niet.",
    )
    reminder_days: int = Field(
        90,
        ge=1,
        le=3650,
        description="Herinner zoveel dagen voor een termijn of een herbeoordeling.",
    )
    reminder_recipients: dict[str, list[str]] = Field(
        default_factory=dict,
        description='Wie herinneringen krijgt, als JSON: {"fin": ["cio@minfin.nl"], ...} '
        "(kenmerk van de organisatie -> e-mailadressen; één adres als tekst mag ook).",
    )
    smtp_host: str = Field("", description="SMTP-server voor herinneringen; leeg: geen e-mail.")
    smtp_port: int = Field(587, ge=1, le=65535, description="Poort van de SMTP-server.")
    smtp_user: str = Field("", description="Gebruikersnaam bij de SMTP-server (leeg: zonder).")
    smtp_password: str = Field("", description="Wachtwoord bij de SMTP-server.")
    smtp_from: str = Field("", description="Afzender van de herinneringen (e-mailadres).")
    smtp_starttls: bool = Field(
        True, description="Versleutel de verbinding met STARTTLS voordat er iets wordt verstuurd."
    )
    production: bool = Field(
        False,
        description="Productie-installatie: dan moet CLOUDTOETS_SIGNING_KEY_FILE gezet zijn "
        "(cloudtoets maakt dan zelf geen sleutel).",
    )
    instance_name: str = Field(
        "cloudtoets",
        description="Naam van deze installatie in ondertekende meldingspakketten, bijvoorbeeld "
        "cio-rijk of fin.",
    )
    signing_key_file: Path | None = Field(
        None,
        description="PEM-bestand met de Ed25519-sleutel waarmee deze installatie "
        "meldingspakketten ondertekent. Leeg: buiten productie maakt cloudtoets een sleutel en "
        "bewaart die in de database.",
    )
    trusted_keys_file: Path | None = Field(
        None,
        description="Bestand met de publieke sleutels van andere installaties waarvan u "
        "meldingspakketten aanneemt: per regel de naam en de sleutel (base64).",
    )
    risk_review_months: int = Field(
        12,
        ge=1,
        le=120,
        description="Na hoeveel maanden een geaccordeerde risicoanalyse opnieuw beoordeeld moet "
        "worden.",
    )

    now: dt.datetime | None = Field(
        None,
        description="Laat de klok van cloudtoets op dit moment beginnen (ISO 8601 met tijdzone, "
        "bijvoorbeeld 2030-07-04T09:00+02:00); daarna loopt ze gewoon door. Voor demonstraties "
        "en tests; leeg: de klok van het systeem. 'Vandaag' is altijd de datum in Amsterdam.",
    )

    @field_validator("now")
    @classmethod
    def _now_has_a_zone(cls, value: dt.datetime | None) -> dt.datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("geef een tijdzone mee, bijvoorbeeld 2030-07-04T09:00+02:00")
        return value

    def clock(self) -> Clock:
        """The system clock, or one that starts at ``now`` and runs on from there."""
        if self.now is None:
            return SYSTEM_CLOCK
        return ShiftedClock(self.now - SYSTEM_CLOCK.now())

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _proxy_addresses(cls, value: str) -> str:
        return forwarded_addresses(value)

    @field_validator("reminder_recipients", mode="before")
    @classmethod
    def _addresses_as_lists(cls, value: object) -> object:
        """One address may be given as text instead of a list of one."""
        if isinstance(value, dict):
            return {k: [v] if isinstance(v, str) else v for k, v in value.items()}
        return value

    @property
    def session_cookie(self) -> str:
        return "__Host-sid" if self.secure_cookies else "cloudtoets-sid"

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    def problems(self) -> list[str]:
        """Settings that are unsafe outside demo mode (checked when the app starts)."""
        found = []
        if self.oidc_enabled and not self.demo and len(self.secret_key) < 32:
            found.append("CLOUDTOETS_SECRET_KEY moet minstens 32 tekens hebben met OpenID Connect")
        if self.oidc_enabled and not self.demo and not self.oidc_issuer.startswith("https://"):
            found.append("CLOUDTOETS_OIDC_ISSUER moet met https:// beginnen")
        if self.oidc_enabled and not (self.oidc_client_id and self.oidc_client_secret):
            found.append("OpenID Connect vraagt CLOUDTOETS_OIDC_CLIENT_ID en _CLIENT_SECRET")
        if self.production and self.now is not None:
            found.append("CLOUDTOETS_NOW is voor demonstraties en tests, niet voor productie")
        if self.production and not self.demo and self.signing_key_file is None:
            found.append("in productie vraagt ondertekenen CLOUDTOETS_SIGNING_KEY_FILE")
        return found

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        return Path(self.database_url.removeprefix("sqlite:///"))


class SettingsError(ValueError):
    """A ``CLOUDTOETS_*`` variable that cannot be read; the message is Dutch and names it."""


def load_settings() -> Settings:
    """Settings from the environment, or a SettingsError that says which variable to mend."""
    try:
        return Settings()
    except ValidationError as exc:
        lines = [f"- CLOUDTOETS_{str(e['loc'][0]).upper()}: {_dutch(e)}" for e in exc.errors()]
        raise SettingsError(
            "Een instelling klopt niet; pas de omgevingsvariabele aan:\n" + "\n".join(lines)
        ) from None


def _dutch(error: ErrorDetails) -> str:
    """Pydantic's message for a setting in Dutch (our own validators speak Dutch already)."""
    kind, context = error["type"], error.get("ctx", {})
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    if kind.startswith("datetime"):
        return "geen tijdstip; schrijf bijvoorbeeld 2030-07-04T09:00+02:00"
    if kind.startswith("int"):
        return "geen geheel getal"
    if kind.startswith("bool"):
        return "schrijf true of false"
    if kind == "greater_than_equal":
        return f"moet minstens {context.get('ge')} zijn"
    if kind == "less_than_equal":
        return f"mag hoogstens {context.get('le')} zijn"
    if kind == "literal_error":
        return f"kies uit {context.get('expected')}"
    if kind.startswith(("json", "dict")):
        return "geen geldige JSON met de vorm die de documentatie noemt"
    return f"ongeldige waarde ({error['msg']})"
