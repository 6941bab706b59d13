"""The named integrated support centers in data/support_centers.toml: the nine relocated centers of seed 000,
each in a region group, validated at load."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from seomin.adapters.support_centers import (
    SupportCentersError,
    default_support_centers,
    parse_support_centers,
)

RELOCATED = {"하남", "계양", "거제", "군산", "경주", "안동", "진주", "속초", "강남"}


def _data() -> dict[str, object]:
    return tomllib.loads(resources.files("seomin.data").joinpath("support_centers.toml").read_text("utf-8"))


def test_the_nine_relocated_centers_are_named_with_address_and_hours() -> None:
    directory = default_support_centers()
    assert {c.name_ko.split()[0] for c in directory.centers if c.relocated} == RELOCATED
    assert all(c.address and c.hours and c.confidence == "unverified" for c in directory.centers)
    assert [c.code for c in directory.centers_of("daegu-gyeongbuk")] == ["gyeongju", "andong"]
    assert (
        directory.center("gunsan") is not None and directory.center("gunsan").group == "gwangju-jeolla-jeju"
    )  # type: ignore[union-attr]


def test_a_center_in_no_group_or_one_too_many_for_its_group_fails_the_load() -> None:
    data = _data()
    centers = data["center"]
    assert isinstance(centers, list)
    with pytest.raises(SupportCentersError, match="unknown region group"):
        parse_support_centers({**data, "center": [*centers, {**centers[0], "code": "x", "group": "mars"}]})
    many = [{**centers[0], "code": f"c{i}", "group": "daejeon-chungcheong"} for i in range(7)]
    with pytest.raises(SupportCentersError, match="more than its 6"):
        parse_support_centers({**data, "center": many})
    with pytest.raises(SupportCentersError, match=r"center\[0\]\.hours"):
        parse_support_centers({**data, "center": [{k: v for k, v in centers[0].items() if k != "hours"}]})
