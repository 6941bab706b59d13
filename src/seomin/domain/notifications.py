"""Notification templates (알림 문안): versioned texts, rendered and checked to be fraud-safe. Pure.

People are warned that fraudsters impersonate the agency (서민금융 사칭, seed 000 4-(2)); so every template is
checked when it is loaded: a link may only point at an official domain, and no text may ask the reader to
install an app, transfer or deposit money, or hand over a code. A template that fails is refused at load
with one line naming the template and the field.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

_URL = re.compile(
    r"(?:https?://|www\.)?([a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:kr|com|net|org|io|me|ly|co))\b", re.I
)
_FORBIDDEN = (
    ("설치", "asks to install something"),
    ("install", "asks to install something"),  # not "installment" (분할상환)
    ("송금", "asks for a transfer"),
    ("입금하", "asks for a deposit"),
    ("이체하", "asks for a transfer"),
    ("transfer money", "asks for a transfer"),
    ("deposit", "asks for a deposit"),
    ("알려주세요", "asks to be told something"),
)


class TemplateError(ValueError):
    """A template that may not be sent: ``where`` names the template and field."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")


@dataclass(frozen=True, slots=True)
class Template:
    id: str
    version: int
    effective_from: date
    channel: str
    placeholders: tuple[str, ...]
    text_ko: str
    text_en: str

    def render(self, params: Mapping[str, object], lang: str = "ko") -> str:
        missing = [p for p in self.placeholders if p not in params]
        if missing:
            raise TemplateError(f"{self.id}@{self.version}", f"missing parameter(s) {', '.join(missing)}")
        return (self.text_en if lang == "en" else self.text_ko).format(
            **{p: params[p] for p in self.placeholders}
        )


def check_template(template: Template, official_domains: frozenset[str]) -> None:
    """Refuse a template with an undeclared placeholder, a link off the official domains, or a request that
    fraud uses (install an app, send money, tell a code)."""
    where = f"{template.id}@{template.version}"
    if template.channel not in ("sms", "alimtalk"):
        raise TemplateError(f"{where}.channel", f"must be sms or alimtalk, not {template.channel!r}")
    for field, text in (("text_ko", template.text_ko), ("text_en", template.text_en)):
        used = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        undeclared = used - set(template.placeholders)
        if undeclared:
            raise TemplateError(
                f"{where}.{field}", f"undeclared placeholder(s) {', '.join(sorted(undeclared))}"
            )
        for match in _URL.finditer(text):
            if match.group(1).lower() not in official_domains:
                raise TemplateError(f"{where}.{field}", f"links to {match.group(1)}, not an official domain")
        lowered = text.lower()
        for word, problem in _FORBIDDEN:
            if re.search(rf"{re.escape(word)}(?!ment)" if word.isascii() else re.escape(word), lowered):
                raise TemplateError(f"{where}.{field}", f"{problem} ({word!r}): fraud-unsafe wording")


@dataclass(frozen=True, slots=True)
class TemplateBook:
    """Every version of every template; ``current`` picks the one in force on a day."""

    templates: tuple[Template, ...]

    def current(self, template_id: str, on: date) -> Template:
        versions = [t for t in self.templates if t.id == template_id and t.effective_from <= on]
        if not versions:
            raise KeyError(f"no template {template_id!r} in force on {on.isoformat()}")
        return max(versions, key=lambda t: t.version)


def parse_templates(data: Mapping[str, Any]) -> TemplateBook:
    """The templates of a parsed TOML document, each checked; the first problem is a ``TemplateError``."""
    domains = frozenset(str(d).lower() for d in data.get("official_domains", []))
    found: list[Template] = []
    for i, raw in enumerate(data.get("template", [])):
        where = f"template[{i}]"
        try:
            template = Template(
                id=str(raw["id"]),
                version=int(raw["version"]),
                effective_from=raw["effective_from"],
                channel=str(raw["channel"]),
                placeholders=tuple(str(p) for p in raw.get("placeholders", [])),
                text_ko=str(raw["text_ko"]),
                text_en=str(raw["text_en"]),
            )
        except KeyError as exc:
            raise TemplateError(where, f"missing field {exc.args[0]}") from None
        if not isinstance(template.effective_from, date):
            raise TemplateError(f"{where}.effective_from", "must be a date")
        check_template(template, domains)
        if any(t.id == template.id and t.version == template.version for t in found):
            raise TemplateError(f"{template.id}@{template.version}", "defined twice")
        found.append(template)
    return TemplateBook(tuple(found))
