"""Reading HTML forms: every field checked, every problem kept with a Korean and an English message, so a
page re-renders with each error beside its field (never a traceback, never a partial write)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date

from seomin.domain.profile import MAX_WON

_MANWON = re.compile(r"^(\d+)\s*만\s*(원)?$")
_WON = re.compile(r"^(\d+)\s*(원)?$")
_DAY = re.compile(r"^(\d{4})[-.](\d{1,2})[-.](\d{1,2})\.?$")


@dataclass(frozen=True, slots=True)
class Message:
    ko: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if lang == "en" else self.ko


REQUIRED = Message("입력해 주세요.", "Please fill this in.")


class FormReader:
    """Typed reads of a submitted form; ``errors`` maps a field name to what is wrong with it."""

    def __init__(self, form: Mapping[str, object]) -> None:
        self.form = form
        self.errors: dict[str, Message] = {}

    @property
    def ok(self) -> bool:
        return not self.errors

    def fail(self, name: str, ko: str, en: str) -> None:
        self.errors.setdefault(name, Message(ko, en))

    def raw(self, name: str) -> str:
        value = self.form.get(name)
        return value.strip() if isinstance(value, str) else ""

    def text(self, name: str, *, required: bool = True, max_length: int = 200) -> str | None:
        value = self.raw(name)
        if not value:
            if required:
                self.errors.setdefault(name, REQUIRED)
            return None
        if len(value) > max_length:
            self.fail(name, f"{max_length:,}자 이내로 입력해 주세요.", f"At most {max_length:,} characters.")
            return None
        return value

    def won(
        self, name: str, *, required: bool = True, minimum: int = 0, maximum: int = MAX_WON
    ) -> int | None:
        """An amount in won: ``5000000``, ``5,000,000``, ``5,000,000원`` or ``500만``."""
        value = self.raw(name).replace(",", "").replace(" ", "")
        if not value:
            if required:
                self.errors.setdefault(name, REQUIRED)
            return None
        manwon, won = _MANWON.match(value), _WON.match(value)
        if manwon:
            amount = int(manwon.group(1)) * 10_000
        elif won:
            amount = int(won.group(1))
        else:
            self.fail(
                name, "숫자로 입력해 주세요 (예: 5000000 또는 500만).", "Enter a number (e.g. 5000000)."
            )
            return None
        if not minimum <= amount <= maximum:
            self.fail(
                name,
                f"{minimum:,}원에서 {maximum:,}원 사이로 입력해 주세요.",
                f"Enter {minimum:,} to {maximum:,} won.",
            )
            return None
        return amount

    def integer(
        self, name: str, *, required: bool = True, minimum: int = 0, maximum: int = 10**9
    ) -> int | None:
        value = self.raw(name).replace(",", "")
        if not value:
            if required:
                self.errors.setdefault(name, REQUIRED)
            return None
        if not value.isdigit():
            self.fail(name, "숫자로 입력해 주세요.", "Enter a whole number.")
            return None
        number = int(value)
        if not minimum <= number <= maximum:
            self.fail(
                name, f"{minimum}에서 {maximum} 사이로 입력해 주세요.", f"Enter {minimum} to {maximum}."
            )
            return None
        return number

    def day(self, name: str, *, required: bool = True) -> date | None:
        """A date as ``<input type=date>`` sends it (YYYY-MM-DD) or as Koreans write it (YYYY.MM.DD)."""
        value = self.raw(name)
        if not value:
            if required:
                self.errors.setdefault(name, REQUIRED)
            return None
        found = _DAY.match(value)
        try:
            if not found:
                raise ValueError(value)
            day = date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
        except ValueError:
            self.fail(name, "날짜를 YYYY.MM.DD 형식으로 입력해 주세요.", "Enter a date as YYYY-MM-DD.")
            return None
        if not 1900 <= day.year <= 2100:
            self.fail(
                name, "1900년에서 2100년 사이의 날짜를 입력해 주세요.", "Enter a date from 1900 to 2100."
            )
            return None
        return day

    def choice(self, name: str, options: Collection[str], *, required: bool = True) -> str | None:
        value = self.raw(name)
        if not value:
            if required:
                self.errors.setdefault(name, Message("선택해 주세요.", "Please choose one."))
            return None
        if value not in options:
            self.fail(name, "목록에서 골라 주세요.", "Choose one of the options.")
            return None
        return value

    def flag(self, name: str) -> bool:
        return self.raw(name) in ("on", "true", "1", "yes")
