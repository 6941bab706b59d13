"""Every proof document is described in Korean and in English (its name, who issues it, how to get it),
and the catalog refuses a document type missing either language at load."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import pytest

from seomin.adapters.catalog_files import default_catalog, load_catalog_dir
from seomin.domain.catalog import CatalogError

DATA = Path(str(resources.files("seomin") / "data"))


def test_every_document_type_has_both_languages() -> None:
    documents = default_catalog().document_types.values()
    assert documents
    for d in documents:
        for ko, en in ((d.name_ko, d.name_en), (d.issuer_ko, d.issuer_en), (d.how_ko, d.how_en)):
            assert ko.strip() and en.strip(), d.code
            assert any("가" <= ch <= "힣" for ch in ko), (d.code, ko)  # Korean in the Korean text
            assert en.isascii() or "(" in en, (d.code, en)  # English, Korean names only in brackets


@pytest.fixture()
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target, ignore=shutil.ignore_patterns("calendar", "*.csv"))
    return target


def without_line(folder: Path, prefix: str) -> None:
    """Drop the first line of document_types.toml that starts with ``prefix``."""
    path = folder / "document_types.toml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    path.write_text("".join(lines[:index] + lines[index + 1 :]), encoding="utf-8")


@pytest.mark.parametrize(
    ("dropped", "named"),
    [("how_en =", "how_en is missing"), ("issuer_en =", "issuer_en"), ("name_en =", "name_en")],
)
def test_a_document_missing_its_english_is_refused(data_copy: Path, dropped: str, named: str) -> None:
    assert load_catalog_dir(data_copy).document_types  # the copy loads as it is
    without_line(data_copy, dropped)
    with pytest.raises(CatalogError, match=r"document_types\.toml document\[0\]") as refused:
        load_catalog_dir(data_copy)
    assert named in str(refused.value)


def test_a_document_missing_its_korean_how_or_a_blank_text_is_refused(data_copy: Path) -> None:
    without_line(data_copy, "how_ko =")
    with pytest.raises(CatalogError, match="how_ko is missing"):
        load_catalog_dir(data_copy)
    path = data_copy / "document_types.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('issuer_en = "Your employer"', 'issuer_en = "  "', 1),
        encoding="utf-8",
    )
    with pytest.raises(CatalogError, match="issuer_en"):
        load_catalog_dir(data_copy)
