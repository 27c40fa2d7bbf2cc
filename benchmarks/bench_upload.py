"""What reading an upload in a bounded worker costs, and what an alias bomb costs now.

    .venv/bin/python benchmarks/bench_upload.py [--runs 50]

On a fresh SQLite register (temporary folder), with the example ``examples/ministerie-bzk.yaml``
(32 registrations):

- ``preview_import`` as the web app and the API call it (``uploaded=True``: read in a worker
  process of ``services.uploads``) beside the same preview read in this process
  (``uploaded=False``, as ``cloudtoets import`` does): the median of ``--runs`` previews each,
  taken in turns, after one warm-up (the first upload of a process starts its worker);
- a YAML alias bomb of 9 levels (559 bytes, 387 million values written out): the median time
  to refuse it, and the peak RSS of this process and of the worker process before and after.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.upload_bombs import alias_bomb  # noqa: E402

from cloudtoets.config import Settings  # noqa: E402
from cloudtoets.services import uploads  # noqa: E402
from cloudtoets.services.actor import Actor  # noqa: E402
from cloudtoets.services.context import Register  # noqa: E402
from cloudtoets.services.imports import preview_import  # noqa: E402
from cloudtoets.store.migrate import upgrade  # noqa: E402

EXAMPLE = ROOT / "examples" / "ministerie-bzk.yaml"


def median_ms(action: Callable[[], object], runs: int) -> float:
    action()  # warm-up
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def paired_ms(first: Callable[[], object], second: Callable[[], object], runs: int) -> list[float]:
    """Medians of two actions run in turns, so a change in the machine's load hits both."""
    first()
    second()
    times: list[list[float]] = [[], []]
    for _ in range(runs):
        for n, action in enumerate((first, second)):
            started = time.perf_counter()
            action()
            times[n].append(time.perf_counter() - started)
    return [statistics.median(t) * 1000 for t in times]


def peak_kb(pid: int | None = None) -> int:
    """Peak RSS (VmHWM) of a process in kB; this process when ``pid`` is None."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        register = Register.open(
            Settings(database_url=f"sqlite:///{folder}/bench.sqlite", auth_mode="local")
        )
        upgrade(register.engine)
        actor = Actor.local("bench")
        data = EXAMPLE.read_bytes()

        def preview(uploaded: bool) -> Callable[[], object]:
            def run() -> object:
                plan = preview_import(register, actor, EXAMPLE.name, data, uploaded=uploaded)
                assert plan.ok, plan.problems
                return plan

            return run

        bounded, local = paired_ms(preview(True), preview(False), args.runs)
        print(
            f"example preview, {args.runs} runs: in a worker {bounded:.1f} ms (median), "
            f"in this process {local:.1f} ms: overhead {bounded - local:.1f} ms"
        )

        bomb = alias_bomb(9)
        (worker,) = uploads.pool()._idle
        before = (peak_kb(), peak_kb(worker.process.pid))

        def refuse() -> None:
            plan = preview_import(register, actor, "bom.yaml", bomb)
            assert plan.problems[0].where == "regel 6", plan.problems

        refused = median_ms(refuse, args.runs)
        after = (peak_kb(), peak_kb(worker.process.pid))
        print(
            f"alias bomb ({len(bomb)} bytes), {args.runs} runs: refused in {refused:.1f} ms "
            f"(median); peak RSS of this process {before[0] / 1024:.0f} -> "
            f"{after[0] / 1024:.0f} MB, of the worker {before[1] / 1024:.0f} -> "
            f"{after[1] / 1024:.0f} MB"
        )
        register.close()


if __name__ == "__main__":
    main()
