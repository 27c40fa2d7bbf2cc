"""The monitoring report as tagged, accessible PDF (PDF/UA-1) with WeasyPrint.

The HTML is the monitoring page's own sections (templates/partials/monitoring/), so the report
shows what the page shows: headings, tables with header cells, each chart followed by its
figures. WeasyPrint loads Pango when it is imported, so it is imported only here, when a PDF is
asked for; without Pango the caller gets ``PdfUnavailable`` with a Dutch explanation.

Nothing is fetched from outside: the fetcher serves only the self-hosted font files, so a link
or an image address in the data can never make the server call anywhere (SSRF). Links keep
pointing to ``CLOUDTOETS_PUBLIC_URL``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cloudtoets.presentation.environment import ENV, STATIC_DIR
from cloudtoets.reports.view import REMINDER_LIST_LIMIT, MonitoringView

STYLESHEET = STATIC_DIR / "css" / "rapport.css"
FONTS = STATIC_DIR / "vendor" / "fira-sans"

UNAVAILABLE = (
    "Een PDF maken lukt op deze server niet: de bibliotheek Pango ontbreekt. Download het "
    "rapport als Excel-werkmap, of vraag de beheerder de Debian-pakketten libpango-1.0-0 en "
    "libpangoft2-1.0-0 te installeren."
)


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


def report_html(view: MonitoringView, reminder_days: int) -> str:
    context = {
        **view.context(),
        "reminder_limit": REMINDER_LIST_LIMIT,
        "reminder_days": reminder_days,
    }
    return ENV.get_template("reports/monitoring.html").render(context)


def _stylesheet() -> str:
    css = STYLESHEET.read_text(encoding="utf-8")
    return css.replace("url(fonts/", f"url({FONTS.resolve().as_uri()}/")


def render_pdf(view: MonitoringView, public_url: str, reminder_days: int) -> bytes:
    weasyprint = _weasyprint()
    fetcher = _fetcher(weasyprint)
    html = weasyprint.HTML(
        string=report_html(view, reminder_days),
        base_url=public_url.rstrip("/") + "/",
        url_fetcher=fetcher,
    )
    fonts = weasyprint.text.fonts.FontConfiguration()  # makes the @font-face rules count
    stylesheet = weasyprint.CSS(string=_stylesheet(), url_fetcher=fetcher, font_config=fonts)
    data: bytes = html.write_pdf(
        stylesheets=[stylesheet], font_config=fonts, pdf_variant="pdf/ua-1"
    )
    return data
