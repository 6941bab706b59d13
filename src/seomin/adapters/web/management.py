"""Placeholder: the pages of this feature are being written."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
