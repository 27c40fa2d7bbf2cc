"""``cloudtoets portfolio`` and ``cloudtoets policy impact`` on the 100k file that ``check`` uses.

    .venv/bin/python benchmarks/bench_portfolio.py

End to end, as a user runs them (child process, stdout to /dev/null, best of ``--runs``; the
wrapper of bench_check.py, which also gives each child's own peak RSS):

    cloudtoets check FILE --format json                       (for comparison)
    cloudtoets portfolio FILE --format json
    cloudtoets portfolio FILE --format json --without microsoft --without-country CN
    cloudtoets policy impact rijksbreed-cloudbeleid-2026 rijksbreed-cloudbeleid-2026-eer-ch FILE

With ``--database sqlite,postgresql`` (the default) the same file is also imported into a fresh
scratch database of each kind (``cloudtoets db upgrade`` and ``cloudtoets import``, timed but not
the point), and the commands run on the register instead of the file:

    cloudtoets portfolio --database URL --format json
    cloudtoets policy impact BASE OTHER --database URL          (the two policies above)

and, in this process, where the time of a portfolio goes: reading and validating the file (the
floor every command on a file pays), evaluating every registration on the date, and the
aggregation in plain Python over the decisions (``services/portfolio.py``).

The machine's speed drifts from day to day (and hour to hour), so the tables also say what each
wall time is at the speed the targets were set: that day the evaluation of the 100k took about
0.25 s, and this run's evaluation, measured in the same process, gives the factor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from bench_check import DEFAULT_CLI, DEFAULT_FILE, compile_bytecode, ensure_inventory, run_child
from generate import AS_OF
from registers import fresh_database, run_measured

TARGET_PORTFOLIO = 2.0  # seconds, 100k
TARGET_SCENARIO = 3.0  # seconds, 100k: a scenario or a policy impact
# The targets were set when evaluating the 100k registrations took about this long ("the
# evaluation is already about 0.25 s of that"): the yardstick for this machine's speed in a run.
EVALUATION_WHEN_SET = 0.25  # seconds
BASE = "rijksbreed-cloudbeleid-2026"
OTHER = "rijksbreed-cloudbeleid-2026-eer-ch"
_T = TypeVar("_T")


def best(function: Callable[[], _T], runs: int) -> tuple[float, _T]:
    """Best wall time of ``function`` (collector off, as in the commands) and its last result."""
    times, result = [], None
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            start = time.perf_counter()
            result = function()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    assert result is not None
    return min(times), result


def in_process(path: Path, runs: int) -> list[tuple[str, float]]:
    from cloudtoets.policy.loader import load_policy
    from cloudtoets.services import portfolio as pf

    policy, other = load_policy(BASE), load_policy(OTHER)
    read, source = best(lambda: pf.source_from_inventory(path), runs)
    pf.evaluate_source(source, policy, AS_OF)  # compile the policy once, as a command does
    evaluate, _ = best(lambda: pf.evaluate_source(source, policy, AS_OF), runs)
    whole, _ = best(lambda: pf.portfolio(source, policy, AS_OF), runs)
    scenario, _ = best(
        lambda: pf.portfolio(source, policy, AS_OF, without=["microsoft"], without_country=["CN"]),
        runs,
    )
    pf.evaluate_source(source, other, AS_OF)
    impact, _ = best(lambda: pf.policy_impact(source, policy, other, AS_OF), runs)
    second = dt.date(AS_OF.year + 1, AS_OF.month, AS_OF.day)
    trend, _ = best(lambda: pf.portfolio(source, policy, AS_OF, compare_as_of=second), runs)
    return [
        ("read and validate the file (floor)", read),
        ("evaluate 100k on the date", evaluate),
        ("portfolio: evaluate + aggregate", whole),
        ("  of which aggregation in Python", whole - evaluate),
        ("portfolio with a scenario (2 at once)", scenario),
        ("portfolio with a second date (trend)", trend),
        ("policy impact (two evaluations)", impact),
    ]


def on_databases(
    path: Path, cli: str, kinds: list[str], runs: int
) -> list[tuple[str, float, float, float | None]]:
    """Import the file into a scratch database of each kind, then time the commands on it."""
    rows: list[tuple[str, float, float, float | None]] = []
    as_of = ["--as-of", AS_OF.isoformat()]
    for kind in kinds:
        with fresh_database(kind, "bench_portfolio") as url:
            for step in (["db", "upgrade"], ["import", str(path)]):
                done = run_measured([cli, *step, "--database", url])
                if done.code != 0:
                    raise SystemExit(f"{kind}: {' '.join(step)} failed: {done.last_line()}")
                print(f"  {kind} {step[0]}: {done.wall:.2f} s", file=sys.stderr)
                if step[0] == "import":
                    rows.append((f"import into {kind} (set-up)", done.wall, done.rss_mb, None))
            commands = [
                (
                    f"portfolio --database {kind} --format json",
                    [cli, "portfolio", "--database", url, "--format", "json"],
                    TARGET_PORTFOLIO,
                ),
                (
                    f"policy impact --database {kind} --format json",
                    [cli, "policy", "impact", BASE, OTHER, "--database", url, "--format", "json"],
                    TARGET_SCENARIO,
                ),
            ]
            for label, command, target in commands:
                results = [run_measured([*command, *as_of]) for _ in range(runs)]
                failed = [r for r in results if r.code != 0]
                if failed:
                    raise SystemExit(f"{label} failed: {failed[0].last_line()}")
                print(
                    f"  {label}: " + ", ".join(f"{r.wall:.2f} s" for r in results), file=sys.stderr
                )
                wall = min(r.wall for r in results)
                rows.append((label, wall, max(r.rss_mb for r in results), target))
    return rows


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="JSON inventory")
    parser.add_argument("--registrations", type=int, default=100_000, help="when generating")
    parser.add_argument("--seed", type=int, default=1, help="when generating")
    parser.add_argument("--cli", type=Path, default=DEFAULT_CLI, help="the cloudtoets command")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database",
        default="sqlite,postgresql",
        help="scratch databases to run on as well (comma-separated; empty: the file only)",
    )
    args = parser.parse_args(argv)

    ensure_inventory(args.file, args.registrations, args.seed)
    compile_bytecode(args.cli)
    as_of = AS_OF.isoformat()
    file, cli = str(args.file), str(args.cli)
    commands = [
        ("check --format json", [cli, "check", file, "--format", "json"], None),
        ("portfolio --format json", [cli, "portfolio", file, "--format", "json"], TARGET_PORTFOLIO),
        (
            "portfolio --without microsoft --without-country CN",
            [
                cli,
                "portfolio",
                file,
                "--format",
                "json",
                "--without",
                "microsoft",
                "--without-country",
                "CN",
            ],
            TARGET_SCENARIO,
        ),
        (
            "policy impact --format json",
            [cli, "policy", "impact", BASE, OTHER, file, "--format", "json"],
            TARGET_SCENARIO,
        ),
    ]
    rows = []
    for label, command, target in commands:
        results = [run_child([*command, "--as-of", as_of]) for _ in range(args.runs)]
        wall = min(r[0] for r in results)
        peak = max(r[1] for r in results)
        print(f"  {label}: " + ", ".join(f"{r[0]:.2f} s" for r in results), file=sys.stderr)
        rows.append((label, wall, peak, target))
    kinds = [k for k in args.database.split(",") if k]
    rows += on_databases(args.file, cli, kinds, args.runs)
    # check once more after the databases: the load on the machine may have changed meanwhile
    again = [
        run_child([cli, "check", file, "--format", "json", "--as-of", as_of])
        for _ in range(args.runs)
    ]
    rows.append(
        (
            "check --format json (again, after the databases)",
            min(r[0] for r in again),
            max(r[1] for r in again),
            None,
        )
    )
    parts = in_process(args.file, args.runs)
    check = rows[0][1]
    speed = EVALUATION_WHEN_SET / dict(parts)["evaluate 100k on the date"]

    print()
    print(
        f"This run's machine speed against the day the targets were set: {speed:.2f} "
        f"(the evaluation of 100k took {EVALUATION_WHEN_SET / speed:.2f} s, "
        f"against {EVALUATION_WHEN_SET:.2f} s)."
    )
    print()
    print(
        f"| `cloudtoets ...` on {args.file.name} | wall (best of {args.runs}) | peak RSS "
        "| ÷ `check` | target | at the targets' speed (wall × speed) |"
    )
    print("|---|---:|---:|---:|:---|:---|")
    for label, wall, peak, target in rows:
        verdict = scaled = ""
        if target is not None:
            verdict = f"{target:.0f} s: {'met' if wall <= target else 'not met'}"
            at_speed = wall * speed
            scaled = f"{at_speed:.2f} s: {'met' if at_speed <= target else 'not met'}"
        print(
            f"| `{label}` | {wall:.2f} s | {peak:.0f} MB | {wall / check:.2f} | {verdict} "
            f"| {scaled} |"
        )
    print()
    print(f"| in one process (best of {args.runs}) | wall |")
    print("|---|---:|")
    for label, seconds in parts:
        print(f"| {label} | {seconds:.2f} s |")


if __name__ == "__main__":
    main()
