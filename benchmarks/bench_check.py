"""End-to-end ``cloudtoets check`` on a 100k-registration JSON inventory: wall time and peak RSS.

    .venv/bin/python benchmarks/bench_check.py

Runs the installed CLI as a child process, exactly as a user would:

    .venv/bin/cloudtoets check FILE --format json --as-of 2026-11-29 > /dev/null

for ``--format json``, ``table`` and ``csv`` (exit code 0 or 1 are both fine: 1 only means a
registration fails the check). Wall time is the best of 3 runs, from spawn to exit; peak RSS is
the child's own ``ru_maxrss`` from ``os.wait4`` (exactly that one process, not a running maximum
over all children; see WRAPPER). Also times, in the same run and for comparison, ``json.load`` and
``orjson.loads`` of the same file (each including reading the file; best of 3, with the cyclic
garbage collector on as by default and off as in ``cloudtoets check``) and the fixed cost of a
check of a one-registration inventory (interpreter start-up and imports). The inventory is
generated first (benchmarks/generate.py, seed 1) when it does not exist.
"""

from __future__ import annotations

import argparse
import gc
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson

from generate import AS_OF, generate, write

HERE = Path(__file__).resolve().parent
DEFAULT_FILE = HERE / "data" / "register-100k.json"
DEFAULT_CLI = Path(sys.executable).parent / "cloudtoets"
TARGET_WALL = 2.0  # seconds
TARGET_RSS = 600  # MB


# Runs one command with stdout to /dev/null and reports its wall time, ru_maxrss and exit code.
# It runs in a fresh small interpreter: Linux carries a process's peak RSS over into the program it
# execs, so a child spawned straight from this (large) benchmark process would report this
# process's RSS as its own peak. The wrapper's few MB are the floor (measured with /bin/true).
WRAPPER = """
import os, sys, time
devnull = os.open(os.devnull, os.O_WRONLY)
start = time.perf_counter()
actions = [(os.POSIX_SPAWN_DUP2, devnull, 1)]
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=actions)
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
print(elapsed, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def compile_bytecode(cli: Path) -> None:
    """Write the bytecode of the cloudtoets package the command runs, as an installation does.

    A wheel is installed with its bytecode, and an editable install writes it on the first run;
    a machine with PYTHONDONTWRITEBYTECODE set (this kind of sandbox has it) would otherwise
    compile every module of the package again in each measured run (about 0.07 s of start-up).
    """
    python = cli.parent / "python"
    script = (
        "import compileall, cloudtoets, os;"
        "compileall.compile_dir(os.path.dirname(cloudtoets.__file__), quiet=1)"
    )
    subprocess.run([str(python if python.exists() else sys.executable), "-c", script], check=True)


def run_child(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit code of one child with stdout to /dev/null."""
    with tempfile.TemporaryFile() as errors:
        wrapper = subprocess.run(
            [sys.executable, "-I", "-S", "-c", WRAPPER, *command],
            stdout=subprocess.PIPE,
            stderr=errors,
            check=True,
        )
        elapsed, maxrss, code = wrapper.stdout.split()
        if int(code) not in (0, 1):
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(command)} ended with {code}:\n{message}")
    return float(elapsed), int(maxrss) / 1024, int(code)  # ru_maxrss is in KiB on Linux


def time_best(function: Callable[[], object], runs: int, *, collect: bool) -> float:
    """Best wall time of ``function``, with the cyclic garbage collector on or off."""
    times = []
    for _ in range(runs):
        gc.collect()
        if not collect:
            gc.disable()
        try:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
        finally:
            gc.enable()
    return min(times)


def ensure_inventory(path: Path, n: int, seed: int) -> None:
    if path.exists():
        return
    print(f"generating {path} ({n:,} registrations, seed {seed}) ...", file=sys.stderr)
    write(generate(n, seed), path)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="JSON inventory")
    parser.add_argument("--registrations", type=int, default=100_000, help="when generating")
    parser.add_argument("--seed", type=int, default=1, help="when generating")
    parser.add_argument("--cli", type=Path, default=DEFAULT_CLI, help="the cloudtoets command")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="json,table,csv")
    args = parser.parse_args(argv)

    ensure_inventory(args.file, args.registrations, args.seed)
    compile_bytecode(args.cli)
    size_mb = args.file.stat().st_size / 1e6
    as_of = AS_OF.isoformat()
    print(f"inventory {args.file} ({size_mb:.1f} MB), as-of {as_of}", file=sys.stderr)

    # Fixed cost: start-up and imports, on a one-registration inventory.
    tiny = args.file.with_name("register-1.json")
    if not tiny.exists():
        write(generate(1, args.seed), tiny)

    true = shutil.which("true") or "/bin/true"
    floor_wall, floor_rss, _ = run_child([true])
    print(f"  wrapper floor (/bin/true): {floor_wall:.3f} s / {floor_rss:.1f} MB", file=sys.stderr)

    rows: list[tuple[str, float, float, int]] = []
    for label, path, formats in (
        ("start-up (1 registration)", tiny, ["json"]),
        ("100k", args.file, args.formats.split(",")),
    ):
        for output_format in formats:
            command = [str(args.cli), "check", str(path), "--format", output_format]
            command += ["--as-of", as_of]
            results = [run_child(command) for _ in range(args.runs)]
            wall = min(r[0] for r in results)
            peak = max(r[1] for r in results)
            rows.append((f"{label} --format {output_format}", wall, peak, results[0][2]))
            print(
                f"  {label} --format {output_format}: "
                f"{', '.join(f'{r[0]:.2f} s / {r[1]:.0f} MB' for r in results)}",
                file=sys.stderr,
            )

    def load_json() -> object:
        with args.file.open("rb") as handle:
            return json.load(handle)

    def load_orjson() -> object:
        return orjson.loads(args.file.read_bytes())

    loads = [
        (
            name,
            time_best(function, args.runs, collect=True),
            time_best(function, args.runs, collect=False),
        )
        for name, function in (("json.load", load_json), ("orjson.loads", load_orjson))
    ]

    print()
    print(f"| run | wall (best of {args.runs}) | peak RSS | exit | target (2 s, 600 MB) |")
    print("|---|---:|---:|---:|:---|")
    for name, wall, peak, code in rows:
        target = ""
        if name.startswith("100k"):
            target = "met" if wall <= TARGET_WALL and peak <= TARGET_RSS else "not met"
        print(f"| `cloudtoets check` {name} | {wall:.2f} s | {peak:.0f} MB | {code} | {target} |")
    print(f"| wrapper floor (`true`) | {floor_wall:.3f} s | {floor_rss:.1f} MB | | |")
    print()
    print(f"| parse the {size_mb:.0f} MB file (incl. reading it) | gc on | gc off |")
    print("|---|---:|---:|")
    for name, collected, uncollected in loads:
        print(f"| `{name}` | {collected:.2f} s | {uncollected:.2f} s |")


if __name__ == "__main__":
    main()
