"""YAML anchors and aliases within a budget: a few hundred bytes may not expand into millions
of values (docs/security.md, "Begrensd werk bij uploads")."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from cloudtoets.io.read import read_inventory
from cloudtoets.problems import InputError
from cloudtoets.yaml12 import ALIAS_BUDGET, YamlTooComplex, load_yaml
from tests.upload_bombs import alias_bomb


@pytest.mark.parametrize("depth", [8, 9, 10])
def test_an_alias_bomb_is_refused_before_anything_is_built(depth: int) -> None:
    bomb = alias_bomb(depth)
    assert len(bomb) < 650
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(YamlTooComplex) as caught:
        load_yaml(bomb)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before
    assert grown_kb < 10_000  # flat: no expansion was ever built
    # level 5 (line 6) is where the written-out values first pass the budget
    assert caught.value.line == 6
    assert "te groot" in caught.value.message and "100.000" in caught.value.message


def test_the_inventory_reader_names_the_line_in_dutch(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(alias_bomb(9))
    with pytest.raises(InputError) as caught:
        read_inventory(path)
    (problem,) = caught.value.problems
    assert problem.where == "regel 6"
    assert problem.message.startswith("de verwijzingen naar ankers (*naam naar &naam) maken")
    assert problem.message.endswith("schrijf de waarden uit of gebruik minder verwijzingen")


def test_sharing_within_the_budget_still_reads() -> None:
    registrations = "\n".join(
        f"  - {{id: r{n}, organisation: bzk, deployment: public, storage_countries: *eu}}"
        for n in range(2_000)
    )
    text = (
        f"landen: &eu [NL, DE, FR, BE, IE, LU, AT, FI, SE, DK]\nregistrations:\n{registrations}\n"
    )
    document = load_yaml(text)
    assert len(document["registrations"]) == 2_000
    assert document["registrations"][-1]["storage_countries"][0] == "NL"
    assert ALIAS_BUDGET > 2_000 * 11  # the shared list of eleven values, written out again


def test_a_long_text_referred_to_often_counts_by_its_length() -> None:
    text = "t: &t " + "x" * 10_000 + "\nlijst: [" + ", ".join(["*t"] * 2_000) + "]\n"
    with pytest.raises(YamlTooComplex) as caught:
        load_yaml(text)
    assert caught.value.line == 2


def test_an_alias_inside_its_own_anchor_is_refused() -> None:
    with pytest.raises(YamlTooComplex) as caught:
        load_yaml("a: 1\nb: &b\n  - x\n  - *b\n")
    assert caught.value.line == 2  # where the list with the anchor begins
    assert "binnen haar eigen anker" in caught.value.message


def test_documents_without_anchors_are_read_as_before() -> None:
    assert load_yaml("land: NO\nja: yes\ngetal: 0o17\n") == {"land": "NO", "ja": "yes", "getal": 15}
    assert load_yaml("") is None
    assert load_yaml(b"naam: R&D\n") == {"naam": "R&D"}
