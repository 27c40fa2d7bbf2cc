"""The monitoring report as tagged, accessible PDF (PDF/UA-1) with WeasyPrint.

The HTML is the monitoring page's own sections (templates/partials/monitoring/), so the report
shows what the page shows: headings, tables with header cells, each chart followed by its
figures. WeasyPrint loads Pango when it is imported, so it is imported only here, when a PDF is
asked for; without Pango the caller gets ``PdfUnavailable`` with a Dutch explanation.

Nothing is fetched from outside: the fetcher serves only the self-hosted font files, so a link
or an image address in the data can never make the server call anywhere (SSRF). Links lead to
``CLOUDTOETS_PUBLIC_URL``, or else to the address the download was asked on; without either
(the CLI without the setting) a link's text stays and the link goes, as a relative address in
a file leads nowhere.

What makes it fast (benchmarks/bench_reports.py, figures in benchmarks/README.md):

- the stylesheet gives the tables a fixed layout with set column widths (rapport.css), so
  WeasyPrint does not measure every cell's text to size the columns (that was a third of the
  time);
- the white space between table tags is left out of the HTML (each run of it became a box that
  layout then threw away);
- the parsed stylesheet and its fonts are made once per process, not per report;
- while WeasyPrint works, the garbage collector runs on the youngest objects only every
  ``YOUNG_OBJECTS`` new objects instead of every 700 (``_fewer_collections``): a report makes
  hundreds of thousands of short-lived boxes, and each collection also walked the server's
  own long-lived objects; that was a third of a report's CPU time;
- the reminders are summed up per organisation, with only the most urgent listed (an
  appendix of one or two pages instead of five);
- a report whose HTML is the same as one made shortly before (nothing changed in between) is
  served from a small cache in the process: the HTML holds every figure, so the same HTML gives
  the same PDF.
"""

from __future__ import annotations

import gc
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cloudtoets.presentation.environment import ENV, STATIC_DIR
from cloudtoets.reports.view import REMINDER_LIST_LIMIT, MonitoringView

STYLESHEET = STATIC_DIR / "css" / "rapport.css"
FONTS = STATIC_DIR / "vendor" / "fira-sans"
CACHED_REPORTS = 4  # PDFs kept per process, by the digest of their HTML
YOUNG_OBJECTS = 100_000  # the collector's first threshold while a PDF is made (Python: 700)

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
# a link to a page of cloudtoets ("/registraties/..."), as the templates write them
_SITE_LINK = re.compile(r'<a\b[^>]*\bhref="/[^"]*"[^>]*>(.*?)</a>', re.DOTALL)


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


def without_site_links(html: str) -> str:
    """``html`` with each link to a page of cloudtoets replaced by its text."""
    return _SITE_LINK.sub(r"\1", html)


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


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often while a PDF is made; the thresholds are the process's, so
    they are set back right after (the renderer's lock lets one report at a time set them)."""
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


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

    def render(self, html: str, base: str) -> bytes:
        """The PDF of ``html``, whose links to cloudtoets lead to ``base`` (none when "")."""
        if not base:
            html = without_site_links(html)
        with self.lock, _fewer_collections():
            document = self.weasyprint.HTML(
                string=html,
                base_url=base.rstrip("/") + "/" if base else None,
                url_fetcher=self.fetcher,
            )
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


def render_pdf(view: MonitoringView, base: str, reminder_days: int) -> bytes:
    """The monitoring report; its links lead to ``base`` (reports/build.py ``link_base``)."""
    weasyprint = _weasyprint()
    html = report_html(view, reminder_days)
    key = hashlib.sha256(f"{base}\n{html}".encode()).hexdigest()
    with _setup:
        cached = _reports.get(key)
        if cached is not None:
            _reports.move_to_end(key)
            return cached
    data = _renderer(weasyprint).render(html, base)
    with _setup:
        _reports[key] = data
        while len(_reports) > CACHED_REPORTS:
            _reports.popitem(last=False)
    return data


def render_document(html: str, base: str) -> bytes:
    """Another report of this renderer (a registration's dossier): the same styles, fonts and
    tagging, not cached (it is asked for one registration at a time)."""
    return _renderer(_weasyprint()).render(html, base)


def forget_reports() -> None:
    """Empty the cache of made reports (a benchmark times making one)."""
    with _setup:
        _reports.clear()
