"""Load the product catalog from its TOML files and validate it, failing with one line per problem."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from seomin.domain.catalog import Catalog, CatalogError, DocumentType, PartnerBank, ProductVersion

M = TypeVar("M", bound=BaseModel)


def _read_toml(file: Traversable | Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise CatalogError(f"{file.name}: not valid TOML: {exc}") from None


def _validate(model: type[M], data: Any, where: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "(top level)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        raise CatalogError(f"{where}: field {field}: {first['msg']}{more}") from None


def load_catalog_dir(root: Traversable | Path) -> Catalog:
    """Build the catalog from ``root``: partner_banks.toml, document_types.toml and products/*.toml."""
    banks = [
        _validate(PartnerBank, row, f"partner_banks.toml bank[{i}]")
        for i, row in enumerate(_read_toml(root / "partner_banks.toml").get("bank", []))
    ]
    documents = [
        _validate(DocumentType, row, f"document_types.toml document[{i}]")
        for i, row in enumerate(_read_toml(root / "document_types.toml").get("document", []))
    ]
    versions = list(_load_products(root / "products"))
    if not versions:
        raise CatalogError(f"{root}: no product files under products/")
    return Catalog(versions, documents, banks)


def _load_products(folder: Traversable | Path) -> Iterable[ProductVersion]:
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if not file.name.endswith(".toml"):
            continue
        version = _validate(ProductVersion, _read_toml(file), file.name)
        expected = f"{version.id}@{version.version}.toml"
        if file.name != expected:
            raise CatalogError(f"{file.name}: field id/version: file must be named {expected}")
        yield version


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The catalog shipped with the package (src/seomin/data)."""
    return load_catalog_dir(resources.files("seomin") / "data")
