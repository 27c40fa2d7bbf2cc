"""``cloudtoets import`` of a 10,000-registration XLSX inventory into a fresh SQLite and PostgreSQL
database: wall time and peak RSS, next to ``cloudtoets check`` of the same workbook.

    .venv/bin/python benchmarks/bench_import_xlsx.py

The workbook is written once from benchmarks/generate.py (seed 1, as generated, nested document
suppliers included) with ``cloudtoets.io.xlsx.write_inventory_xlsx``. Then, each as a child
process in the small ``python -I -S`` wrapper of bench_check.py (so ``ru_maxrss`` is the child's
own):

- ``cloudtoets check FILE.xlsx --format json --as-of 2026-11-29 > /dev/null``: read, validate,
  evaluate and write the results, nothing stored;
- ``cloudtoets db upgrade --database URL`` on a fresh database: creating the schema, which every
  import into a fresh database also does;
- ``cloudtoets import FILE.xlsx --database URL`` into a fresh database (a new one for every run).

Wall time is the best of ``--runs``; peak RSS the largest. The difference between import and
check + upgrade is the share of the register: the plan (looking up what exists), the evaluation
with its decision records, the audit records and writing it all in one transaction. The PostgreSQL
database is ``cloudtoets_bench_xlsx`` (dropped after each run); SQLite files live in a temporary
folder.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from generate import AS_OF, generate
from registers import (
    CLI,
    DATA,
    POSTGRES_ADMIN_URL,
    ChildResult,
    cloudtoets_import,
    cloudtoets_upgrade,
    fresh_database,
    run_measured,
)

POSTGRES_NAME = "cloudtoets_bench_xlsx"


def ensure_workbook(path: Path, n: int, seed: int) -> None:
    """Write the workbook if it is missing."""
    from cloudtoets.io.validate import validate_document
    from cloudtoets.io.xlsx import write_inventory_xlsx

    if not path.exists():
        print(f"writing {path} ({n:,} registrations, seed {seed}) ...", file=sys.stderr)
        inventory = validate_document(generate(n, seed), "generate.py").inventory
        path.parent.mkdir(parents=True, exist_ok=True)
        write_inventory_xlsx(inventory, path)


def best(results: list[ChildResult], accept: Sequence[int], label: str) -> tuple[float, float, int]:
    for r in results:
        if r.code not in accept:
            raise SystemExit(f"{label} ended with {r.code}: {r.last_line()}")
    return min(r.wall for r in results), max(r.rss_mb for r in results), results[0].code


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--registrations", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file", type=Path, help="the workbook (default: benchmarks/data/...)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--postgres-admin-url", default=POSTGRES_ADMIN_URL)
    args = parser.parse_args(argv)

    path = args.file or DATA / f"register-{args.registrations // 1000}k-seed{args.seed}.xlsx"
    ensure_workbook(path, args.registrations, args.seed)
    size_mb = path.stat().st_size / 1e6
    print(f"workbook {path} ({size_mb:.1f} MB)", file=sys.stderr)

    rows: list[tuple[str, str, float, float, int]] = []  # database, run, wall, rss, exit

    def record(
        database: str, label: str, results: list[ChildResult], accept: Sequence[int]
    ) -> None:
        wall, rss, code = best(results, accept, label)
        rows.append((database, label, wall, rss, code))
        runs = ", ".join(f"{r.wall:.2f} s / {r.rss_mb:.0f} MB" for r in results)
        print(f"  {database} {label}: {runs}", file=sys.stderr)

    true = shutil.which("true") or "/bin/true"
    record("", "wrapper floor (`true`)", [run_measured([true])], (0,))
    check = [str(CLI), "check", str(path), "--format", "json", "--as-of", AS_OF.isoformat()]
    record(
        "",
        "`cloudtoets check` (read, validate, evaluate)",
        [run_measured(check) for _ in range(args.runs)],
        (0, 1),
    )

    for kind in args.databases.split(","):
        upgrades, imports = [], []
        for run in range(args.runs):
            with fresh_database(kind, POSTGRES_NAME, args.postgres_admin_url) as url:
                upgrades.append(cloudtoets_upgrade(url))
            with fresh_database(kind, POSTGRES_NAME, args.postgres_admin_url) as url:
                if kind == "postgresql":  # the owner migrates first; import does not
                    cloudtoets_upgrade(url)
                print(f"  {kind} import run {run + 1} ...", file=sys.stderr)
                imports.append(cloudtoets_import(path, url))
        record(kind, "`cloudtoets db upgrade` (fresh database)", upgrades, (0,))
        record(kind, "`cloudtoets import`", imports, (0,))

    print()
    print(
        f"Workbook: {args.registrations:,} registrations, generate.py --seed {args.seed}, "
        f"{size_mb:.1f} MB, as generated."
    )
    print()
    print(f"| database | run | wall (best of {args.runs}) | registrations/s | peak RSS | exit |")
    print("|---|---|---:|---:|---:|---:|")
    for database, label, wall, rss, code in rows:
        rate = f"{args.registrations / wall:,.0f}" if "check" in label or "import" in label else ""
        print(f"| {database} | {label} | {wall:.2f} s | {rate} | {rss:.0f} MB | {code} |")
    check_wall = next(w for d, label, w, _, _ in rows if "check" in label)
    print()
    for kind in args.databases.split(","):
        upgrade = next(w for d, label, w, _, _ in rows if d == kind and "upgrade" in label)
        total = next(
            w for d, label, w, _, _ in rows if d == kind and label == "`cloudtoets import`"
        )
        storage = total - check_wall - upgrade
        print(
            f"- {kind}: import {total:.1f} s = check {check_wall:.1f} s + schema {upgrade:.1f} s "
            f"+ register {storage:.1f} s ({storage / total:.0%} of the import)"
        )


if __name__ == "__main__":
    main()
