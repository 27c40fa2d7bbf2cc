"""Read an inventory file of any supported format, chosen by its extension."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import orjson

from cloudtoets.domain.model import Organisation, Provider
from cloudtoets.io.syntax_errors import yaml_problem
from cloudtoets.io.validate import Checked, Locator, validate_document
from cloudtoets.problems import InputError, Problem
from cloudtoets.yaml12 import YamlTooComplex, load_yaml

FORMATS = (".yaml", ".yml", ".json", ".xlsx", ".csv")


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            str(path), [Problem("", "dit bestand bestaat niet; controleer de naam en de map")]
        ) from None
    except IsADirectoryError:
        raise InputError(str(path), [Problem("", "dit is een map; geef een bestand")]) from None
    except OSError as exc:
        raise InputError(
            str(path), [Problem("", f"kan het bestand niet lezen ({exc.strerror})")]
        ) from None


def _yaml(path: Path) -> object:
    data = _bytes(path)
    try:
        return load_yaml(data)
    except (InputError, MemoryError, RecursionError):
        raise  # a worker's limits (services/uploads.py) must see the last two
    except YamlTooComplex as exc:
        raise InputError(str(path), [Problem(f"regel {exc.line}", exc.message)]) from None
    except Exception as exc:  # yaml.YAMLError carries the line and column, in English
        raise InputError(str(path), [yaml_problem(exc, data)]) from None


def _json(data: bytes, path: Path) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return data  # validation says what is wrong with it


def read_side_file(path: Path, list_name: str) -> list[dict[str, object]]:
    """Organisations or providers from a separate YAML, JSON or XLSX file (for CSV input)."""
    suffix = path.suffix.lower()
    document: object
    if suffix == ".xlsx":
        from cloudtoets.io.xlsx import read_xlsx_document

        document, _ = read_xlsx_document(path)
    elif suffix in (".yaml", ".yml", ".json"):
        document = _yaml(path)  # JSON is YAML 1.2
    elif suffix == ".csv":
        from cloudtoets.io.csv_format import read_csv_records

        document = {list_name: read_csv_records(path, list_name)}
    else:
        raise InputError(
            str(path), [Problem("", f"onbekend formaat; gebruik {', '.join(FORMATS)}")]
        )
    records = document.get(list_name) if isinstance(document, dict) else document
    if not isinstance(records, list):
        raise InputError(str(path), [Problem("", f"verwacht een lijst '{list_name}'")])
    return records


def read_inventory(
    path: Path,
    *,
    organisations_file: Path | None = None,
    providers_file: Path | None = None,
    prepare: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None,
) -> Checked:
    """Read and validate an inventory; InputError lists every problem found.

    ``prepare`` rewrites the plain document before it is validated (``convert --fill-defaults``
    writes out the old defaults with it); records keep their places, so problems do too.
    """
    suffix = path.suffix.lower()
    extra_organisations: list[Organisation] = []
    extra_providers: list[Provider] = []
    if organisations_file is not None or providers_file is not None:
        side: dict[str, object] = {"registrations": []}
        if organisations_file is not None:
            side["organisations"] = read_side_file(organisations_file, "organisations")
        if providers_file is not None:
            side["providers"] = read_side_file(providers_file, "providers")
        checked_side = validate_document(
            side, "+".join(str(p) for p in (organisations_file, providers_file) if p)
        )
        extra_organisations = checked_side.inventory.organisations
        extra_providers = checked_side.inventory.providers

    locate: Locator | None = None
    data: bytes | dict[str, Any]
    if suffix == ".json":
        data = _bytes(path)
    elif suffix in (".yaml", ".yml"):
        document = _yaml(path)
        if not isinstance(document, dict):
            raise InputError(
                str(path),
                [
                    Problem(
                        "",
                        "een inventaris is een object met de lijsten organisations, "
                        "providers en registrations",
                    )
                ],
            )
        data = document
    elif suffix == ".xlsx":
        from cloudtoets.io.xlsx import read_xlsx_document

        data, locate = read_xlsx_document(path)
    elif suffix == ".csv":
        from cloudtoets.io.csv_format import read_csv_document

        data, locate = read_csv_document(path)
    else:
        raise InputError(
            str(path),
            [
                Problem(
                    "",
                    f"onbekend bestandsformaat '{suffix or '(geen)'}'; "
                    f"gebruik {', '.join(FORMATS)}",
                )
            ],
        )
    if prepare is not None:
        if isinstance(data, bytes):
            data = _json(data, path)
        if isinstance(data, Mapping):
            data = dict(prepare(data))
    return validate_document(
        data,
        str(path),
        locate=locate,
        extra_organisations=extra_organisations,
        extra_providers=extra_providers,
    )
