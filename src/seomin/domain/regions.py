"""Regions: the 17 시도 (metropolitan cities and provinces) of a registered address."""

from __future__ import annotations

REGIONS: tuple[str, ...] = (
    "서울", "부산", "대구", "인천", "광주", "대전", "울산", "세종",
    "경기", "강원", "충북", "충남", "전북", "전남", "경북", "경남", "제주",
)  # fmt: skip

_ALIASES: dict[str, str] = {
    "서울특별시": "서울", "서울시": "서울", "부산광역시": "부산", "부산시": "부산",
    "대구광역시": "대구", "대구시": "대구", "인천광역시": "인천", "인천시": "인천",
    "광주광역시": "광주", "대전광역시": "대전", "대전시": "대전", "울산광역시": "울산",
    "울산시": "울산", "세종특별자치시": "세종", "세종시": "세종", "경기도": "경기",
    "강원도": "강원", "강원특별자치도": "강원", "충청북도": "충북", "충청남도": "충남",
    "전라북도": "전북", "전북특별자치도": "전북", "전라남도": "전남", "경상북도": "경북",
    "경상남도": "경남", "제주도": "제주", "제주특별자치도": "제주",
}  # fmt: skip


def normalize_region(name: str) -> str:
    """The short 시도 name of ``name`` ('서울특별시' -> '서울'); ValueError naming the valid ones."""
    cleaned = name.strip()
    if cleaned in REGIONS:
        return cleaned
    if cleaned in _ALIASES:
        return _ALIASES[cleaned]
    raise ValueError(f"unknown region {name!r}; expected one of {', '.join(REGIONS)}")
