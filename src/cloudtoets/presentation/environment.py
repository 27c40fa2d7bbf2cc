"""The Jinja environment of the pages and the reports: templates, filters and globals.

The web pages render it through FastAPI (web/templating.py adds menu, flash messages and the
request); the PDF report renders the same templates without a request, so whatever a template
shared by both needs is registered here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from urllib.parse import quote

import jinja2

from cloudtoets.presentation import texts

_HERE = resources.files("cloudtoets.presentation")
TEMPLATE_DIR = Path(str(_HERE / "templates"))
STATIC_DIR = Path(str(_HERE / "static"))

ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=jinja2.select_autoescape()
)


def registration_url(registration_id: str, action: str | None = None) -> str:
    """The address of a registration's page (or one of its actions)."""
    base = f"/registraties/{quote(registration_id, safe='')}"
    return f"{base}/{action}" if action else base


ENV.filters["dutch_day"] = texts.dutch_day
ENV.filters["dutch_moment"] = texts.dutch_moment
ENV.filters["country_name"] = texts.country_name
ENV.filters["sentence"] = texts.sentence
ENV.filters["first_upper"] = lambda text: str(text)[:1].upper() + str(text)[1:]
ENV.filters["urlq"] = lambda value: quote(str(value), safe="")
ENV.filters["reason"] = lambda code: texts.MATERIAL_REASONS.get(str(code), str(code))
ENV.globals["texts"] = texts
ENV.globals["outside_eea"] = texts.outside_eea
ENV.globals["count_text"] = texts.count_text
ENV.globals["count_share"] = texts.count_share
ENV.globals["registration_url"] = registration_url
ENV.globals["verdict_range"] = texts.verdict_range
ENV.globals["known"] = texts.known
