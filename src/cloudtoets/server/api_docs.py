"""Interactive API documentation (Swagger UI), served from vendored files under the strict CSP.

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script; neither
works here (no internet, ``script-src 'self'``), so the page and its start-up script are static.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter(include_in_schema=False)

PAGE = """<!doctype html>
<html lang="nl">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>API-documentatie — cloudtoets</title>
  <link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
  <main>
    <h1 class="visually-hidden">API-documentatie van cloudtoets</h1>
    <div id="swagger-ui" data-openapi-url="/api/v1/openapi.json"></div>
  </main>
  <script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
  <script src="/static/js/api-docs.js"></script>
</body>
</html>
"""


@router.get("/api/v1/docs", response_class=HTMLResponse)
def api_docs() -> str:
    return PAGE
