"""The HTTP API (FastAPI): ``create_app()`` builds it, ``server.serve()`` runs it under uvicorn."""

from seomin.adapters.http.app import create_app

__all__ = ["create_app"]
