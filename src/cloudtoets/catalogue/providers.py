"""Load and check ``providers.yaml`` (see docs/provider-catalogue.md for how it is kept)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cloudtoets.domain.countries import ISO_COUNTRY_CODES
from cloudtoets.domain.model import Provider
from cloudtoets.domain.providers import ProviderDirectory
from cloudtoets.yaml12 import load_yaml


class CatalogueEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    country: str
    # the country it is effectively run from, only when that is not ``country``
    headquarters: str | None = None
    parent: str | None
    kind: Literal["parent", "cloud", "saas", "sovereign", "colocation", "other"]
    services: tuple[str, ...] = ()
    # the providers it uses itself for the data (its hosting), where it documents them publicly
    subprocessors: tuple[str, ...] = ()
    source: str = Field(pattern=r"^https?://")
    checked: dt.date  # when the entry was last checked against its source
    note: str | None = None
    uncertain: str | None = None

    @field_validator("country", "headquarters")
    @classmethod
    def _iso(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.upper() not in ISO_COUNTRY_CODES:
            raise ValueError(f"onbekende landcode {value}")
        return value.upper()

    @model_validator(mode="after")
    def _headquarters_elsewhere(self) -> CatalogueEntry:
        if self.headquarters == self.country:
            raise ValueError("headquarters is gelijk aan country; laat headquarters weg")
        return self

    def as_provider(self) -> Provider:
        return Provider(
            id=self.id,
            name=self.name,
            country=self.country,
            parent=self.parent,
            headquarters=self.headquarters,
            subprocessors=list(self.subprocessors),
        )


class _Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")
    providers: tuple[CatalogueEntry, ...]

    @model_validator(mode="after")
    def _references(self) -> _Catalogue:
        ids = [entry.id for entry in self.providers]
        if len(ids) != len(set(ids)):
            raise ValueError("een id komt meer dan eens voor")
        for entry in self.providers:
            for other in (entry.parent, *entry.subprocessors):
                if other is not None and other not in ids:
                    raise ValueError(f"{entry.id}: onbekende leverancier {other}")
        return self


@cache
def catalogue_entries() -> tuple[CatalogueEntry, ...]:
    text = (resources.files("cloudtoets.catalogue") / "providers.yaml").read_bytes()
    return _Catalogue.model_validate(load_yaml(text)).providers


@cache
def _catalogue_providers() -> tuple[Provider, ...]:
    return tuple(entry.as_provider() for entry in catalogue_entries())


def catalogue_directory(*extra: list[Provider]) -> ProviderDirectory:
    """A directory of the catalogue, overridden by ``extra`` providers (later wins)."""
    return ProviderDirectory(_catalogue_providers(), *extra)
