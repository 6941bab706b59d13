"""Runtime settings from the environment, read once at the edge and passed inward.

SEOMIN_DATABASE_URL  SQLAlchemy URL; default: SQLite at ./var/seomin.db (the embedded default)
SEOMIN_DATA_KEY      Fernet key for personal data at rest; without it a development key is generated
                     under ./var and the app says so (refused when SEOMIN_ENV=production)
SEOMIN_STORAGE_DIR   where uploaded documents are kept; default ./var/documents
SEOMIN_ENV           development (default) or production
SEOMIN_JOB_QUEUE_URL the job queue (huey): sqlite:///PATH (default ./var/jobs.db: no server, the jobs run
                     in the API process) or redis://HOST:PORT/DB (workers: ``seomin jobs worker``)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    data_key: str | None
    storage_dir: Path
    var_dir: Path
    environment: str = "development"
    job_queue_url: str = ""

    @property
    def production(self) -> bool:
        return self.environment == "production"


def load_settings(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    env = os.environ if env is None else env
    var_dir = Path(env.get("SEOMIN_VAR_DIR", str((cwd or Path.cwd()) / "var")))
    return Settings(
        database_url=env.get("SEOMIN_DATABASE_URL", f"sqlite:///{var_dir / 'seomin.db'}"),
        data_key=env.get("SEOMIN_DATA_KEY") or None,
        storage_dir=Path(env.get("SEOMIN_STORAGE_DIR", str(var_dir / "documents"))),
        var_dir=var_dir,
        environment=env.get("SEOMIN_ENV", "development"),
        job_queue_url=env.get("SEOMIN_JOB_QUEUE_URL", f"sqlite:///{var_dir / 'jobs.db'}"),
    )
