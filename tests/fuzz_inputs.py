"""Random and mutated inventories and policy files for the fuzz tests, and the one property they
check: a reader gives a result or the product's own input error, nothing else.

Used by ``tests/unit/io/test_fuzz_readers.py`` and ``tests/unit/policy/test_fuzz_loader.py``
(a small, fixed number of examples in the suite) and by ``benchmarks/fuzz_readers.py`` (a longer
run). The seeds are the example inventory ``examples/ministerie-bzk.yaml`` in every format and the
built-in policy file.
"""

from __future__ import annotations

import copy
import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from cloudtoets.io.read import read_inventory
from cloudtoets.io.write import write_inventory
from cloudtoets.policy.loader import DEFAULT_POLICY_ID, load_policy, resolve_policy_path
from cloudtoets.problems import InputError
from cloudtoets.yaml12 import load_yaml

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "ministerie-bzk.yaml"
READER_SUFFIXES = (".yaml", ".json", ".xlsx", ".csv")


@cache
def seed(suffix: str) -> bytes:
    """The example inventory written in the format of ``suffix`` (by the product's writer)."""
    if suffix == ".yaml":
        return EXAMPLE.read_bytes()
    inventory = read_inventory(EXAMPLE).inventory
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"seed{suffix}"
        write_inventory(inventory, path)
        return path.read_bytes()


@cache
def policy_seed() -> bytes:
    return resolve_policy_path(DEFAULT_POLICY_ID).read_bytes()


# ------------------------------------------------------------------------------ strategies

# any value a YAML or JSON document can hold, small
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=10,
)


@st.composite
def mutated_bytes(draw: st.DrawFn, original: bytes) -> bytes:
    """``original`` with a few byte-level edits: flip, delete, insert, duplicate, overwrite."""
    data = bytearray(original)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        span = draw(st.integers(min_value=1, max_value=64))
        match draw(st.sampled_from(["flip", "delete", "insert", "duplicate", "overwrite"])):
            case "flip" if at < len(data):
                data[at] ^= 1 << draw(st.integers(min_value=0, max_value=7))
            case "delete":
                del data[at : at + span]
            case "insert":
                data[at:at] = draw(st.binary(min_size=1, max_size=span))
            case "duplicate":
                data[at:at] = data[at : at + span] * draw(st.integers(min_value=2, max_value=8))
            case "overwrite":
                piece = draw(st.binary(min_size=1, max_size=span))
                data[at : at + len(piece)] = piece
    return bytes(data)


def _paths(document: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a parsed document (dict keys and list indexes)."""
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _paths(value, (*prefix, index))
    return found


@st.composite
def mutated_document(draw: st.DrawFn, original: Any) -> Any:
    """A parsed document with a few edits in its structure: a value replaced by any other
    value, a key or item removed, an item repeated."""
    document = copy.deepcopy(original)
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        places = _paths(document)
        place = draw(st.sampled_from(places))
        if not place:
            document = draw(values)
            continue
        parent = document
        for step in place[:-1]:
            parent = parent[step]
        last = place[-1]
        match draw(st.sampled_from(["replace", "remove", "repeat"])):
            case "replace":
                parent[last] = draw(values)
            case "remove":
                del parent[last]
            case "repeat" if isinstance(parent, list):
                parent.insert(last, parent[last])
            case _:
                parent[last] = [parent[last]] * 2
    return document


def _dump(document: Any, suffix: str) -> bytes:
    if suffix == ".json":  # the standard library: integers beyond 64 bits, NaN (not JSON)
        return json.dumps(document, default=str, ensure_ascii=False).encode()
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


@st.composite
def mutated_xlsx(draw: st.DrawFn) -> bytes:
    """The example workbook with one of its XML parts edited at the byte level, re-zipped: the
    edit reaches the spreadsheet reader instead of stopping at the zip checksum."""
    original = seed(".xlsx")
    with zipfile.ZipFile(io.BytesIO(original)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    name = draw(st.sampled_from(sorted(parts)))
    parts[name] = draw(mutated_bytes(parts[name]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for part, content in parts.items():
            archive.writestr(part, content)
    return out.getvalue()


def inventory_inputs(suffix: str) -> st.SearchStrategy[bytes]:
    """Random bytes, byte-mutated seeds, and (YAML, JSON) structurally mutated documents, or
    (XLSX) workbooks with a mutated part."""
    choices = [st.binary(max_size=2048), mutated_bytes(seed(suffix))]
    if suffix in (".yaml", ".json"):
        parsed = load_yaml(EXAMPLE.read_bytes())
        choices.append(mutated_document(parsed).map(lambda d: _dump(d, suffix)))
    if suffix == ".xlsx":
        choices.append(mutated_xlsx())
    return st.one_of(choices)


def policy_inputs() -> st.SearchStrategy[bytes]:
    parsed = load_yaml(policy_seed())
    return st.one_of(
        st.binary(max_size=2048),
        mutated_bytes(policy_seed()),
        mutated_document(parsed).map(lambda d: _dump(d, ".yaml")),
    )


# ------------------------------------------------------------------------------ the property

_counter = iter(range(10**12))


def _write(folder: Path, suffix: str, data: bytes) -> Path:
    path = folder / f"fuzz-{next(_counter)}{suffix}"
    path.write_bytes(data)
    return path


def read_or_refuse(folder: Path, suffix: str, data: bytes) -> str:
    """Read ``data`` as an inventory file: 'ok' or 'refused' (InputError). Any other exception
    escapes: that is a finding."""
    path = _write(folder, suffix, data)
    try:
        read_inventory(path)
    except InputError as error:
        assert error.problems or error.source, "an input error without a problem"
        return "refused"
    finally:
        path.unlink()
    return "ok"


def load_or_refuse(folder: Path, data: bytes) -> str:
    """Load ``data`` as a policy file: 'ok' or 'refused' (InputError)."""
    path = _write(folder, ".yaml", data)
    try:
        load_policy(path)
    except InputError:
        return "refused"
    finally:
        path.unlink()
    return "ok"


Check = Callable[[Path, bytes], str]
