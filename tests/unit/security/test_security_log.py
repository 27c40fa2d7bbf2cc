"""Security events are JSON lines without secrets."""

from __future__ import annotations

import json

import pytest

from cloudtoets import security_log


def test_an_event_is_one_json_line_with_time_and_name(capsys: pytest.CaptureFixture[str]) -> None:
    security_log.event("login_failed", user=security_log.name_hash("Ann"), client="10.0.0.1")
    line = capsys.readouterr().err.strip()
    record = json.loads(line)
    assert record["event"] == "login_failed"
    assert record["log"] == "security"
    assert record["timestamp"].endswith("Z")
    assert record["user"] == security_log.name_hash("ann ")  # case and spaces do not matter
    assert "Ann" not in line and "ann" not in line.replace(record["user"], "")
