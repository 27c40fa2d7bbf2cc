"""A process killed in the middle of an import leaves the register exactly as it was."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from cloudtoets.store.db import make_engine
from cloudtoets.store.tables import AuditRow, DecisionRow, RegistrationRow
from cloudtoets.yaml12 import load_yaml

CLI = str(Path(sys.executable).with_name("cloudtoets"))
EXAMPLE = Path(__file__).resolve().parents[1].parent / "examples" / "ministerie-bzk.yaml"


def counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    with engine.connect() as connection:
        result = tuple(
            connection.scalar(select(func.count()).select_from(table)) or 0
            for table in (RegistrationRow, AuditRow, DecisionRow)
        )
    engine.dispose()
    return result  # type: ignore[return-value]


def big_inventory(path: Path, copies: int) -> None:
    document = load_yaml(EXAMPLE.read_bytes())
    registrations = document["registrations"]
    document["registrations"] = [
        {**copy.deepcopy(r), "id": f"{r['id']}-{n}"} for n in range(copies) for r in registrations
    ]
    path.write_text(json.dumps(document, default=str), encoding="utf-8")


@pytest.fixture
def database_url(database_url: str) -> str:
    """The database as its owner sets it up (``cloudtoets db upgrade``) before any import."""
    subprocess.run(
        [CLI, "db", "upgrade", "--database", database_url],
        capture_output=True, timeout=120, check=True,
    )
    return database_url


def test_killed_import_stores_nothing(database_url: str, tmp_path: Path) -> None:
    first = subprocess.run(
        [CLI, "import", str(EXAMPLE), "--database", database_url],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert first.returncode == 0, first.stderr
    before = counts(database_url)
    assert before[0] == 32

    big = tmp_path / "groot.json"
    big_inventory(big, copies=60)  # 1,920 registrations: several progress lines
    process = subprocess.Popen(
        [CLI, "import", str(big), "--database", database_url],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    assert process.stderr is not None
    line = process.stderr.readline()  # the first "verwerkt 500 van ..." arrives mid-transaction
    assert line.startswith("verwerkt"), line
    process.kill()
    process.wait(timeout=30)
    assert process.returncode != 0

    assert counts(database_url) == before
    if database_url.startswith("sqlite"):
        engine = make_engine(database_url)
        with engine.connect() as connection:
            assert connection.scalar(text("PRAGMA integrity_check")) == "ok"
        engine.dispose()

    # the register still works: the same import now runs to the end
    again = subprocess.run(
        [CLI, "import", str(big), "--database", database_url],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert again.returncode == 0, again.stderr
    assert counts(database_url)[0] == 32 + 1_920


@pytest.mark.parametrize("content", [b"registrations: [", b"\x00\x01 geen yaml"])
def test_broken_upload_is_refused_with_exit_2(database_url: str, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "kapot.yaml"
    path.write_bytes(content)
    result = subprocess.run(
        [CLI, "import", str(path), "--database", database_url],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert counts(database_url) == (0, 0, 0)
