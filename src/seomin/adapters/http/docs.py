"""The API's documentation page (``/docs``), offline: Swagger UI 5's assets come from the fastapi-offline
package (its static files only) and are served by the app; the start-up script is a file of our own, so
the pages' CSP (``script-src 'self'``, no inline script) holds here too."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

router = APIRouter(include_in_schema=False)

_SWAGGER = Path(str(resources.files("fastapi_offline") / "static"))
_ASSETS = {
    "swagger-ui.css": _SWAGGER / "swagger-ui.css",
    "swagger-ui-bundle.js": _SWAGGER / "swagger-ui-bundle.js",
    "favicon.png": _SWAGGER / "favicon.png",
    "docs-init.js": Path(__file__).parent / "static" / "docs-init.js",
}

_PAGE = """<!doctype html>
<html lang="ko">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>seomin API · 서민금융 API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" href="/docs/assets/favicon.png">
</head>
<body>
  <div id="swagger-ui"><p>API 문서를 불러오는 중입니다. (Loading the API documentation: it needs JavaScript;
  the machine-readable description is at <a href="/openapi.json">/openapi.json</a>.)</p></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/docs-init.js"></script>
</body>
</html>
"""


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(_PAGE)


@router.get("/docs/assets/{name}")
def docs_asset(name: str) -> FileResponse:
    found = _ASSETS.get(name)
    if found is None:
        raise StarletteHTTPException(404)
    return FileResponse(found, headers={"Cache-Control": "public, max-age=86400"})
