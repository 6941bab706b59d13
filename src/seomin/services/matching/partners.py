"""Partner lenders' products (제휴 금융회사 상품) as data: ``data/partner_products/<id>@<version>.toml``.

Each file is one version of one product, validated at load like the policy catalog; the version in force
on a day is the latest whose ``effective_from`` has come and whose ``effective_to`` has not passed.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import ValidationError

from seomin.domain.matching import PartnerCatalog, PartnerProduct


class PartnerDataError(ValueError):
    """A malformed partner product file; the message names the file and the field."""


def load_partner_products(folder: Traversable | Path) -> PartnerCatalog:
    products = []
    for file in sorted(folder.iterdir(), key=lambda f: f.name):
        if not file.name.endswith(".toml"):
            continue
        try:
            product = PartnerProduct.model_validate(tomllib.loads(file.read_text(encoding="utf-8")))
        except (tomllib.TOMLDecodeError, ValidationError) as exc:
            raise PartnerDataError(f"{file.name}: {exc}") from None
        if file.name != f"{product.id}@{product.version}.toml":
            raise PartnerDataError(f"{file.name}: file must be named {product.id}@{product.version}.toml")
        products.append(product)
    try:
        return PartnerCatalog(products)
    except ValueError as exc:
        raise PartnerDataError(str(exc)) from None


@lru_cache(maxsize=1)
def default_partner_products() -> PartnerCatalog:
    """The partner products shipped with the package."""
    return load_partner_products(resources.files("seomin") / "data" / "partner_products")
