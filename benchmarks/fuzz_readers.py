"""The long fuzz run: every inventory reader and the policy loader, many more documents than
the suite's (tests/unit/io/test_fuzz_readers.py, tests/unit/policy/test_fuzz_loader.py).

    .venv/bin/python benchmarks/fuzz_readers.py [--examples 2000] [--seed N]

Random (not derandomised: each run tries other documents unless ``--seed`` is given). Each
document is read in this process; the time of the slowest document and the peak memory of the
process are reported. A document that raises anything but ``InputError`` is printed with its
exception and counted as a failure; the exit code is 1 when there is one.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from hypothesis.errors import Flaky

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fuzz_inputs import (  # noqa: E402
    READER_SUFFIXES,
    inventory_inputs,
    load_or_refuse,
    policy_inputs,
    read_or_refuse,
)


def run(name: str, strategy, check, examples: int, random_seed: int | None) -> int:  # type: ignore[no-untyped-def]
    outcomes: dict[str, int] = {}
    failures: list[str] = []
    slowest = 0.0
    folder = Path(tempfile.mkdtemp(prefix="cloudtoets-fuzz-"))

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=True,
    )
    @given(data=strategy)
    def property_(data: bytes) -> None:
        nonlocal slowest
        started = time.perf_counter()
        try:
            outcome = check(folder, data)
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}"[:300])
            outcome = "failure"
        slowest = max(slowest, time.perf_counter() - started)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1

    if random_seed is not None:
        property_ = seed(random_seed)(property_)
    started = time.perf_counter()
    with contextlib.suppress(Flaky):
        property_()
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{name:8} {sum(outcomes.values()):6} documents in {elapsed:6.1f} s, slowest "
        f"{slowest * 1000:6.0f} ms, peak {peak:5.0f} MB: {outcomes}"
    )
    for failure in sorted(set(failures)):
        print(f"    {failure}")
    return len(failures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000, help="documents per reader")
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--only", choices=[*READER_SUFFIXES, "policy"], default=None)
    args = parser.parse_args()
    failures = 0
    for suffix in READER_SUFFIXES:
        if args.only in (None, suffix):
            check = lambda folder, data, s=suffix: read_or_refuse(folder, s, data)  # noqa: E731
            failures += run(suffix, inventory_inputs(suffix), check, args.examples, args.seed)
    if args.only in (None, "policy"):
        failures += run("policy", policy_inputs(), load_or_refuse, args.examples, args.seed)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
