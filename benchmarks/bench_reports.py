"""The monitoring report of the demo register: the PDF beside the XLSX and the monitoring
figures, made the way the server makes them, best of N.

    .venv/bin/python benchmarks/bench_reports.py [--runs 5] [--database URL]

On a fresh SQLite file in a temporary folder (or ``--database``, emptied first) the demo register
is loaded as ``cloudtoets serve --demo`` loads it, on the demo's date (29 November 2026). Then,
each best of ``--runs`` in wall time (and the CPU time of that run):

- ``pdf (cold)``: ``reports.build.pdf_report`` with the process's report cache emptied first,
  so the PDF is really made: the figures, the HTML and WeasyPrint;
- ``pdf (cached)``: the same again with the cache as the first call left it (an unchanged
  register: the figures and the HTML are made, the PDF comes from the cache);
- ``pdf (as before)``: the same HTML and stylesheet as the report had before it was made fast:
  white space between table tags kept, automatic table layout (every cell measured), the font
  configuration and stylesheet made for every report; the yardstick for the change;
- ``xlsx``: ``reports.build.xlsx_report``, the other download of the page;
- ``dossier``: ``reports.dossier.dossier_pdf`` of one registration (``fin-m365-mail``), the
  download on a registration's page;
- ``monitoring figures``: ``services.monitoring.monitoring`` alone, what the JSON of
  ``GET /api/v1/monitoring`` holds.

The machine's load average (``os.getloadavg``) is printed before and after, since the figures
are only comparable within one run. To compare two versions of the code, run this script from
each checkout in turn (``PYTHONPATH=<checkout>/src``) on a quiet machine and compare the CPU
column, and each version's ``pdf (cold)`` to its own ``pdf (as before)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

DEMO_DAY = dt.date(2026, 11, 29)
DOSSIER = "fin-m365-mail"  # a registration of the demo with findings and a risk assessment


def _best(function: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """Best wall time, the CPU time of that run, and the median wall time (seconds)."""
    times = []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    best = min(times)
    return best[0], best[1], statistics.median(t[0] for t in times)


def _as_before(register: Any, actor: Any) -> bytes:
    """The PDF as it was made before: no compacting, automatic table layout, a new font
    configuration and stylesheet per report."""
    import weasyprint  # type: ignore[import-untyped]

    from cloudtoets.presentation.environment import ENV
    from cloudtoets.reports import build, pdf
    from cloudtoets.reports.view import REMINDER_LIST_LIMIT

    view = build.monitoring_view(register, actor, register.today())
    context = {
        **view.context(),
        "reminder_limit": REMINDER_LIST_LIMIT,
        "reminder_days": register.settings.reminder_days,
    }
    html = ENV.get_template("reports/monitoring.html").render(context)
    fetcher = pdf._fetcher(weasyprint)
    document = weasyprint.HTML(string=html, base_url="http://localhost/", url_fetcher=fetcher)
    fonts = weasyprint.text.fonts.FontConfiguration()
    automatic = (
        "table { table-layout: auto; } th, td { width: auto !important; overflow-wrap: normal; }"
    )
    stylesheet = weasyprint.CSS(
        string=pdf._stylesheet() + automatic, url_fetcher=fetcher, font_config=fonts
    )
    data: bytes = document.write_pdf(
        stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1"
    )
    return data


def _dossier_case(register: Any, actor: Any, get_registration: Any) -> dict[str, Any]:
    """The dossier of one demo registration, when this version of the code makes dossiers."""
    try:
        from cloudtoets.reports import dossier
    except ImportError:
        return {}
    get_registration(register, actor, DOSSIER)  # the registration is in the demo register
    return {"dossier": lambda: dossier.dossier_pdf(register, actor, DOSSIER)}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database", help="URL of an empty database (default: a temporary file)")
    args = parser.parse_args(argv)

    from cloudtoets.config import Settings
    from cloudtoets.domain.clock import FixedClock
    from cloudtoets.reports import build, pdf
    from cloudtoets.services.actor import Actor
    from cloudtoets.services.context import Register
    from cloudtoets.services.demo import load_demo
    from cloudtoets.services.monitoring import monitoring
    from cloudtoets.services.registrations import get_registration
    from cloudtoets.store.migrate import upgrade

    print(f"load average before: {os.getloadavg()[0]:.2f} (1 min) on {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'demo.sqlite'}"
        register = Register.open(
            Settings(database_url=url, auth_mode="local"), clock=FixedClock.on(DEMO_DAY)
        )
        try:
            upgrade(register.engine)
            load_demo(register)
            actor = Actor.local(register.settings.local_user)
            day = register.today()

            def cold() -> bytes:
                pdf.forget_reports()
                return build.pdf_report(register, actor, day)

            size = len(cold())  # the first report loads WeasyPrint, Pango and the fonts
            _as_before(register, actor)
            cases: dict[str, Callable[[], Any]] = {
                "pdf (cold)": cold,
                "pdf (cached)": lambda: build.pdf_report(register, actor, day),
                "pdf (as before)": lambda: _as_before(register, actor),
                "xlsx": lambda: build.xlsx_report(register, actor, day),
                **_dossier_case(register, actor, get_registration),
                "monitoring figures": lambda: monitoring(register, actor, day),
            }
            print(f"demo register on {url.split(':', 1)[0]}, PDF of {size:,} bytes")
            print(
                f"{'case':<20} {'best wall':>10} {'its CPU':>9} {'median':>9}"
                f"   (s, {args.runs} runs)"
            )
            for name, function in cases.items():
                wall, cpu, median = _best(function, args.runs)
                print(f"{name:<20} {wall:10.3f} {cpu:9.3f} {median:9.3f}")
        finally:
            register.close()
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
