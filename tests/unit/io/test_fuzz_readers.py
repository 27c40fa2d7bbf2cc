"""Fuzzing every inventory reader (YAML, JSON, XLSX, CSV) with hypothesis: random bytes, the
example inventory mutated byte by byte, and (YAML, JSON) mutated in its structure, (XLSX) in one
XML part of the workbook. Each document gives an inventory or the product's own InputError in
Dutch, nothing else, within a time budget per document (the hypothesis deadline) and without
the process growing beyond a memory budget.

Small in the suite (EXAMPLES per reader, derandomised: the same documents every run); the longer
run is ``benchmarks/fuzz_readers.py`` (docs/security.md, "Fuzzing").
"""

from __future__ import annotations

import datetime as dt
import resource
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz_inputs import READER_SUFFIXES, inventory_inputs, read_or_refuse

EXAMPLES = 150
DEADLINE = dt.timedelta(seconds=5)  # per document; the slowest seen is far below (docs/security.md)
MEMORY_BUDGET = 512 * 1024  # kB the process may grow over all documents of one reader


@pytest.mark.parametrize("suffix", READER_SUFFIXES)
def test_a_reader_reads_or_refuses_every_document(suffix: str, tmp_path: Path) -> None:
    outcomes: dict[str, int] = {}
    start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    @settings(
        max_examples=EXAMPLES,
        deadline=DEADLINE,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=inventory_inputs(suffix))
    def property_(data: bytes) -> None:
        outcome = read_or_refuse(tmp_path, suffix, data)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    property_()
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - start
    assert grown < MEMORY_BUDGET, f"{suffix}: the process grew {grown} kB"
    assert outcomes.get("refused"), outcomes  # the mutations do reach the refusals
