"""Loading the knowledge base's starter set from the command line: once, owned by a named writer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SEOMIN = str(Path(sys.executable).parent / "seomin")


def test_load_knowledge_adds_the_starter_set_once(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SEOMIN_VAR_DIR": str(tmp_path),
        "SEOMIN_DATABASE_URL": f"sqlite:///{tmp_path / 'k.db'}",
    }

    def admin(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [SEOMIN, "admin", *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=env,
        )

    assert (
        admin(
            "create-staff", "lee", "--role", "counselor", "--name", "이상담", stdin="a long enough pw\n" * 2
        ).returncode
        == 0
    )
    first = admin("load-knowledge", "lee")
    assert first.returncode == 0 and "added" in first.stdout, first.stderr
    assert int(first.stdout.split()[0]) >= 10
    assert admin("load-knowledge", "lee").stdout.startswith("0 ")
    unknown = admin("load-knowledge", "nobody")
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
