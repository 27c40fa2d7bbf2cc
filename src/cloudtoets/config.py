"""Settings from ``CLOUDTOETS_*`` environment variables, built once by the entry point.

Nothing reads the environment at import time: ``Settings()`` is called in ``cli.main`` and in
``create_app`` when no settings are passed.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE = "sqlite:///cloudtoets.sqlite"


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
    local_user: str = Field(
        "beheerder",
        description="Naam van de lokale gebruiker zolang er geen inlog is.",
    )
    local_organisation: str | None = Field(
        None,
        description="Beperk de lokale gebruiker tot deze organisatie (leeg: alle organisaties).",
    )
    max_upload_bytes: int = Field(
        20 * 1024 * 1024, description="Grootste toegestane upload bij importeren, in bytes."
    )
    page_size: int = Field(50, ge=1, le=500, description="Registraties per pagina.")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        return Path(self.database_url.removeprefix("sqlite:///"))
