"""Use case: the product line-up as the stable JSON the CLI (``products --json``) and the API both serve."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from seomin.domain.catalog import Catalog, ProductVersion
from seomin.domain.money import format_rate


def product_to_json(v: ProductVersion) -> dict[str, Any]:
    """One product version: identity, period, headline terms, successor and the figures to confirm."""
    return {
        "id": v.id,
        "version": v.version,
        "name_ko": v.name_ko,
        "name_en": v.name_en,
        "effective_from": v.effective_from.isoformat(),
        "effective_to": v.effective_to.isoformat() if v.effective_to else None,
        "annual_rate": format_rate(v.rate.annual),
        "total_limit": v.limits.total_per_person,
        "first_time_limit": v.limits.first_time,
        "term_months": list(v.terms.repayment_months),
        "grace_months": list(v.terms.grace_months),
        "successor": v.lineage.successor,
        "unconfirmed_figures": {
            path: {"confidence": p.confidence.value, "source": p.source}
            for path, p in v.unconfirmed_figures().items()
        },
    }


def products_to_json(versions: Iterable[ProductVersion]) -> list[dict[str, Any]]:
    return [product_to_json(v) for v in versions]


def products_in_force_json(catalog: Catalog, on: date) -> list[dict[str, Any]]:
    """The versions in force on ``on`` (the ``seomin products --on DAY --json`` output)."""
    return products_to_json(catalog.in_force(on))
