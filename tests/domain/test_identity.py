"""Resident numbers: validation without echoing the number, masking, and encryption at rest."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from seomin.adapters.crypto import DataKeyError, DataVault, vault_from_settings
from seomin.domain.identity import mask_phone, normalize_phone, parse_resident_number
from seomin.settings import load_settings

TODAY = date(2026, 11, 21)


def test_a_valid_number_parses_and_never_shows_in_full() -> None:
    number = parse_resident_number("900101-1234567", TODAY)
    assert number.birth_date == date(1990, 1, 1)
    assert number.masked == "900101-1******"
    assert "1234567" not in repr(number) and "1234567" not in str(number)


def test_century_digits_and_compact_form() -> None:
    assert parse_resident_number("0002294123456", TODAY).birth_date == date(2000, 2, 29)
    assert parse_resident_number("6512315123456", TODAY).foreigner
    assert parse_resident_number("6512315123456", TODAY).value == "651231-5123456"


@pytest.mark.parametrize(
    "text", ["900101-123456", "901301-1234567", "010229-3123456", "900101-X234567", "300101-4123456"]
)
def test_invalid_numbers_are_refused_without_echo(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_resident_number(text, TODAY)
    assert text[7:] not in str(info.value)


def test_phone() -> None:
    assert normalize_phone("010-1234-5678") == "01012345678"
    assert mask_phone("01012345678") == "010-****-5678"
    with pytest.raises(ValueError):
        normalize_phone("02-123-4567")


def test_vault_round_trip_and_lookup_hash(tmp_path: Path) -> None:
    settings = load_settings({"SEOMIN_VAR_DIR": str(tmp_path)})
    vault = vault_from_settings(settings)
    token = vault.encrypt("900101-1234567")
    assert "900101" not in token
    assert vault.decrypt(token) == "900101-1234567"
    assert vault.lookup_hash("900101-1234567") == vault_from_settings(settings).lookup_hash("900101-1234567")
    assert (tmp_path / "dev-data-key").stat().st_mode & 0o777 == 0o600


def test_production_requires_a_key(tmp_path: Path) -> None:
    with pytest.raises(DataKeyError, match="SEOMIN_DATA_KEY"):
        vault_from_settings(load_settings({"SEOMIN_VAR_DIR": str(tmp_path), "SEOMIN_ENV": "production"}))
    with pytest.raises(DataKeyError):
        DataVault("not-a-key")


def test_a_wrong_key_cannot_read(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    token = DataVault(Fernet.generate_key().decode()).encrypt("secret")
    with pytest.raises(DataKeyError):
        DataVault(Fernet.generate_key().decode()).decrypt(token)


def test_names_and_phones_are_masked_one_way_everywhere() -> None:
    from seomin.domain.identity import mask_name

    assert [mask_name(n) for n in ("홍", "김철", "홍길동", "남궁민수")] == ["*", "김*", "홍*동", "남**수"]
    assert mask_phone("0212345678") == "02-****-5678"  # a Seoul landline keeps its two-digit area code
