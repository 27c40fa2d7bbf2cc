"""Built-in organisations of the Rijksoverheid (``organisations.yaml``)."""

from __future__ import annotations

from functools import cache
from importlib import resources

from pydantic import TypeAdapter

from cloudtoets.domain.model import Organisation
from cloudtoets.yaml12 import load_yaml


@cache
def catalogue_organisations() -> tuple[Organisation, ...]:
    text = (resources.files("cloudtoets.catalogue") / "organisations.yaml").read_bytes()
    raw = load_yaml(text)["organisations"]
    return tuple(TypeAdapter(list[Organisation]).validate_python(raw))
