"""The composition root: settings → the platform context every edge runs on.

The HTTP app, the web pages, the CLI, the benchmarks and any job runner build their ``Platform`` here, so
none of them imports another edge to get one. Dependencies point inward: this module may import adapters
and services; nothing below it imports this module.
"""

from __future__ import annotations

from seomin.adapters.calendar_data import korean_calendar
from seomin.adapters.catalog_files import default_catalog
from seomin.services.clock import today_kst
from seomin.services.platform import Platform
from seomin.settings import Settings, load_settings


class ConfigurationError(RuntimeError):
    """Settings the platform must not start with: one line saying which and why."""


def check_production(settings: Settings) -> None:
    """Refuse production settings this build cannot honour. The only identity provider here is the local
    one, which vouches for any well-formed resident number and phone: in production a certified provider
    (PASS, 공동인증서 …) must be plugged in first, so production does not start without one."""
    if settings.production:
        raise ConfigurationError(
            "SEOMIN_ENV=production: no certified identity provider is configured; the local provider "
            "is for development only (see docs/architecture.md, services/identity.py IdentityProvider)"
        )


def platform_from_settings(settings: Settings | None = None) -> Platform:
    """The platform of the configured database (default: SQLite under ./var), migrated to the latest
    schema, with the packaged catalog and calendar, the configured data key and Korea's today."""
    from seomin.adapters.crypto import vault_from_settings
    from seomin.adapters.db.engine import make_engine, session_factory
    from seomin.adapters.db.migrate import upgrade

    settings = settings or load_settings()
    check_production(settings)
    vault = vault_from_settings(settings)
    engine = make_engine(settings.database_url)
    upgrade(engine)
    settings.storage_dir.mkdir(parents=True, exist_ok=True)
    return Platform(
        engine=engine,
        sessions=session_factory(engine),
        catalog=default_catalog(),
        calendar=korean_calendar(),
        vault=vault,
        storage_dir=settings.storage_dir,
        today=today_kst,
        environment=settings.environment,
    )
