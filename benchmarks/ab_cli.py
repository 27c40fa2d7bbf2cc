"""The same ``cloudtoets`` commands on two source trees, alternately: wall and CPU time.

    git worktree add /tmp/before <commit>
    .venv/bin/python benchmarks/ab_cli.py --before /tmp/before/src --runs 3

For a machine shared with other work: each round runs every command once on each tree, one
right after the other, so both see about the same load; the CPU time (user + system of the
child) says what the code costs, the wall time what a user waits. Best of ``--runs`` each.
By default the commands are those of bench_portfolio.py on the 100k file; ``--database URL``
adds ``portfolio`` and ``policy impact`` on that register.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from bench_check import DEFAULT_FILE
from generate import AS_OF

ROOT = Path(__file__).resolve().parents[1]
PYTHON = ROOT / ".venv" / "bin" / "python"
BASE = "rijksbreed-cloudbeleid-2026"
OTHER = "rijksbreed-cloudbeleid-2026-eer-ch"


def run(source: Path, arguments: list[str]) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds and exit code of ``cloudtoets ARGUMENTS`` from ``source``."""
    code = "import sys; from cloudtoets.cli import main; sys.argv[0] = 'cloudtoets'; main()"
    environment = {**os.environ, "PYTHONPATH": str(source)}
    start = time.perf_counter()
    child = subprocess.Popen(
        [str(PYTHON), "-c", code, *arguments],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", type=Path, required=True, help="src folder of the old code")
    parser.add_argument("--after", type=Path, default=ROOT / "src", help="src of the new code")
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--database", action="append", default=[], help="a register URL")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    for source in (args.before, args.after):  # bytecode as installed (bench_check.compile_bytecode)
        subprocess.run(
            [str(PYTHON), "-m", "compileall", "-q", str(source / "cloudtoets")], check=True
        )
    as_of = ["--as-of", AS_OF.isoformat()]
    file = str(args.file)
    commands = {
        "check --format json": ["check", file, "--format", "json", *as_of],
        "portfolio --format json": ["portfolio", file, "--format", "json", *as_of],
        "portfolio --without microsoft": [
            "portfolio",
            file,
            "--format",
            "json",
            "--without",
            "microsoft",
            *as_of,
        ],
        "policy impact": ["policy", "impact", BASE, OTHER, file, "--format", "json", *as_of],
    }
    for url in args.database:
        kind = url.split(":", 1)[0]
        commands[f"portfolio --database {kind}"] = [
            "portfolio",
            "--database",
            url,
            "--format",
            "json",
            *as_of,
        ]
        commands[f"policy impact --database {kind}"] = [
            "policy",
            "impact",
            BASE,
            OTHER,
            "--database",
            url,
            "--format",
            "json",
            *as_of,
        ]
    best: dict[tuple[str, str], tuple[float, float]] = {}
    for round_number in range(args.runs):
        for label, arguments in commands.items():
            for tree, source in (("before", args.before), ("after", args.after)):
                wall, cpu, code = run(source, arguments)
                if code not in (0, 1):
                    raise SystemExit(f"{tree}: {label} ended with {code}")
                old = best.get((label, tree), (float("inf"), float("inf")))
                best[(label, tree)] = (min(old[0], wall), min(old[1], cpu))
                print(
                    f"  round {round_number + 1} {tree:6} {label}: {wall:.2f} s wall, "
                    f"{cpu:.2f} s CPU",
                    file=sys.stderr,
                )
    print(
        f"| command (best of {args.runs}) | before: wall | CPU | after: wall | CPU "
        "| CPU after ÷ before |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for label in commands:
        (bw, bc), (aw, ac) = best[(label, "before")], best[(label, "after")]
        print(f"| `{label}` | {bw:.2f} s | {bc:.2f} s | {aw:.2f} s | {ac:.2f} s | {ac / bc:.2f} |")


if __name__ == "__main__":
    main()
