"""홈: the products in plain words, what each is for, who it is for, rate and limit at a glance."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from seomin.adapters.app_state import platform_of
from seomin.adapters.web.rendering import render

router = APIRouter()


@router.get("/")
def home(request: Request) -> Response:
    platform = platform_of(request)
    today = platform.today()
    products = sorted(platform.catalog.in_force(today), key=lambda v: v.id)
    return render(request, "home.html", {"products": products, "today": today})
