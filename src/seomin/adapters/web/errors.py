"""Error pages for the web (the API answers JSON): a plain Korean and English explanation and a way on."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from seomin.adapters.web.rendering import render

TITLES: dict[int, tuple[str, str]] = {
    403: ("이 화면을 볼 권한이 없습니다", "You may not see this page"),
    404: ("찾는 화면이 없습니다", "Page not found"),
    405: ("잘못된 요청입니다", "That request is not allowed here"),
    409: ("지금 상태에서는 할 수 없는 일입니다", "Not possible in the current state"),
    413: ("보낸 파일이 너무 큽니다", "The upload is too large"),
    422: ("입력값을 확인해 주세요", "Please check what you entered"),
    429: ("시도가 너무 많습니다. 잠시 후 다시 해 주세요", "Too many attempts: please try again later"),
    500: ("잠시 문제가 생겼습니다", "Something went wrong"),
}


def is_page_request(request: Request) -> bool:
    """A request for a web page rather than the API or its documentation."""
    path = request.url.path
    return not (path.startswith(("/api/", "/docs")) or path == "/openapi.json")


def error_page(request: Request, status_code: int, detail: str = "") -> Response:
    title_ko, title_en = TITLES.get(status_code, TITLES[500])
    return render(
        request,
        "error.html",
        {"status_code": status_code, "title_ko": title_ko, "title_en": title_en, "detail": detail},
        status_code=status_code,
    )
