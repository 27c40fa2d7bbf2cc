"""The monitoring report as tagged, accessible PDF (PDF/UA-1) with WeasyPrint.

The HTML is the monitoring page's own sections (templates/partials/monitoring/), so the report
shows what the page shows: headings, tables with header cells, each chart followed by its
figures. WeasyPrint loads Pango when it is imported, so it is imported only here, when a PDF is
asked for; without Pango the caller gets ``PdfUnavailable`` with a Dutch explanation.

Nothing is fetched from outside: the fetcher serves only the self-hosted font files, so a link
or an image address in the data can never make the server call anywhere (SSRF). Links keep
pointing to ``CLOUDTOETS_PUBLIC_URL``.

What makes it fast (benchmarks/bench_reports.py, figures in benchmarks/README.md):

- the stylesheet gives the tables a fixed layout with set column widths (rapport.css), so
  WeasyPrint does not measure every cell's text to size the columns (that was a third of the
  time);
- the white space between table tags is left out of the HTML (each run of it became a box that
  layout then threw away);
- the parsed stylesheet and its fonts are made once per process, not per report;
- a report whose HTML is the same as one made shortly before (nothing changed in between) is
  served from a small cache in the process: the HTML holds every figure, so the same HTML gives
  the same PDF.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from cloudtoets.presentation.environment import ENV, STATIC_DIR
from cloudtoets.reports.view import REMINDER_LIST_LIMIT, MonitoringView

STYLESHEET = STATIC_DIR / "css" / "rapport.css"
FONTS = STATIC_DIR / "vendor" / "fira-sans"
CACHED_REPORTS = 4  # PDFs kept per process, by the digest of their HTML

UNAVAILABLE = (
    "Een PDF maken lukt op deze server niet: de bibliotheek Pango ontbreekt. Download het "
    "rapport als Excel-werkmap, of vraag de beheerder de Debian-pakketten libpango-1.0-0 en "
    "libpangoft2-1.0-0 te installeren."
)

# White space before a table tag, or right after an opening table, row or section tag: it
# is not shown (CSS 2.1, 17.2.1) and only makes boxes that layout throws away.
_TABLE_TAGS = r"(?:table|caption|colgroup|col|thead|tbody|tfoot|tr|th|td)"
_SPACE_BEFORE_TABLE_TAG = re.compile(rf"\s+(?=</?{_TABLE_TAGS}\b)")
_SPACE_AFTER_TABLE_START = re.compile(r"(<(?:table|thead|tbody|tfoot|tr)\b[^>]*>)\s+")


class PdfUnavailable(Exception):
    """This machine cannot make PDFs (Pango or WeasyPrint missing); the text says what to do."""

    def __init__(self) -> None:
        super().__init__(UNAVAILABLE)


def _weasyprint() -> Any:
    try:
        import weasyprint  # type: ignore[import-untyped]
    except (ImportError, OSError) as error:  # OSError: the Pango library is not installed
        raise PdfUnavailable() from error
    return weasyprint


def _fetcher(weasyprint: Any) -> Any:
    class LocalFonts(weasyprint.URLFetcher):  # type: ignore[misc]
        """Serves the self-hosted fonts; refuses every other address."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                path = Path(url.removeprefix("file://")).resolve()
                if path.is_relative_to(FONTS.resolve()) and path.is_file():
                    return weasyprint.urls.URLFetcherResponse(
                        url, path.read_bytes(), {"Content-Type": "font/woff2"}
                    )
            raise ValueError(f"cloudtoets haalt niets op voor een rapport: {url}")

    return LocalFonts()


def compact(html: str) -> str:
    """``html`` without the white space between table tags, which a table does not show."""
    return _SPACE_AFTER_TABLE_START.sub(r"\1", _SPACE_BEFORE_TABLE_TAG.sub("", html))


def report_html(view: MonitoringView, reminder_days: int) -> str:
    context = {
        **view.context(),
        "reminder_limit": REMINDER_LIST_LIMIT,
        "reminder_days": reminder_days,
    }
    return compact(ENV.get_template("reports/monitoring.html").render(context))


def _stylesheet() -> str:
    css = STYLESHEET.read_text(encoding="utf-8")
    return css.replace("url(fonts/", f"url({FONTS.resolve().as_uri()}/")


class _Renderer:
    """The fetcher, the font configuration and the parsed stylesheet of one WeasyPrint module,
    made once; a lock lets one report at a time use them (WeasyPrint's font configuration is
    not made for threads, and a report's work holds the GIL anyway)."""

    def __init__(self, weasyprint: Any) -> None:
        self.weasyprint = weasyprint
        self.fetcher = _fetcher(weasyprint)
        self.fonts = weasyprint.text.fonts.FontConfiguration()  # makes @font-face count
        self.stylesheet = weasyprint.CSS(
            string=_stylesheet(), url_fetcher=self.fetcher, font_config=self.fonts
        )
        self.lock = threading.Lock()

    def render(self, html: str, public_url: str) -> bytes:
        document = self.weasyprint.HTML(
            string=html, base_url=public_url.rstrip("/") + "/", url_fetcher=self.fetcher
        )
        with self.lock:
            data: bytes = document.write_pdf(
                stylesheets=[self.stylesheet], font_config=self.fonts, pdf_variant="pdf/ua-1"
            )
        return data


_renderers: dict[int, _Renderer] = {}
_reports: OrderedDict[str, bytes] = OrderedDict()
_setup = threading.Lock()


def _renderer(weasyprint: Any) -> _Renderer:
    with _setup:
        renderer = _renderers.get(id(weasyprint))
        if renderer is None or renderer.weasyprint is not weasyprint:
            renderer = _renderers[id(weasyprint)] = _Renderer(weasyprint)
        return renderer


def render_pdf(view: MonitoringView, public_url: str, reminder_days: int) -> bytes:
    weasyprint = _weasyprint()
    html = report_html(view, reminder_days)
    key = hashlib.sha256(f"{public_url}\n{html}".encode()).hexdigest()
    with _setup:
        cached = _reports.get(key)
        if cached is not None:
            _reports.move_to_end(key)
            return cached
    data = _renderer(weasyprint).render(html, public_url)
    with _setup:
        _reports[key] = data
        while len(_reports) > CACHED_REPORTS:
            _reports.popitem(last=False)
    return data


def forget_reports() -> None:
    """Empty the cache of made reports (a benchmark times making one)."""
    with _setup:
        _reports.clear()
