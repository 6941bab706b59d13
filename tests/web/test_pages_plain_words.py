"""No internal code reaches an applicant: every page a person of each demo state sees reads in words.

Codes such as ``ELIGIBLE``, ``AMOUNT_ABOVE_LIMIT`` or ``SECOND_REVIEWER_SAME`` are for machines and staff;
the applicant's pages show the engine's messages and ``domain.vocabulary``'s words instead."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

from identity_steps import page_sign_in
from seomin.domain import vocabulary
from seomin.domain.reasons import TEMPLATES
from seomin.services.demo import END, PEOPLE, PHONE, load_demo
from seomin.services.platform import Platform

CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
"""UPPER_SNAKE words: reason, conflict and status codes."""

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


class VisibleText(HTMLParser):
    """The text a person reads: element text, not tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


KNOWN_CODES = frozenset(TEMPLATES) | frozenset(vocabulary.REASONS)
"""Every reason code, single words (``ELIGIBLE``, ``DELINQUENT``) included."""


def codes_shown(html: str) -> set[str]:
    reader = VisibleText()
    reader.feed(html)
    text = " ".join(reader.parts)
    words = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", text))
    return set(CODE.findall(text)) | (words & KNOWN_CODES)


def test_the_reader_finds_a_leaked_code() -> None:
    assert codes_shown("<p>신청 가능 (ELIGIBLE)</p><script>var A_B=1</script><a title='X_Y'>x</a>") == {
        "ELIGIBLE"
    }


@pytest.mark.parametrize("state", sorted(PEOPLE))
def test_an_applicant_of_every_state_reads_no_code(
    platform: Platform, client: TestClient, state: str
) -> None:
    load_demo(platform)
    platform.today = lambda: END
    name, rrn = PEOPLE[state]
    signed = page_sign_in(client, name, rrn, PHONE)
    assert signed.status_code == 303, signed.text
    pages = ["/", "/check", "/simulate", "/help", "/my"]
    my = client.get("/my")
    pages += sorted(set(re.findall(r'href="(/applications/\d+)"', my.text)))
    for path in pages:
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        for lang in ("ko", "en"):
            page = client.get(path, params={"lang": lang})
            assert codes_shown(page.text) == set(), (state, path, lang)


def test_every_status_has_words_and_an_unknown_one_is_not_shown_as_a_code() -> None:
    assert vocabulary.label(vocabulary.STATUSES, "pending_second_review") == (
        "2차 심사 대기",
        "Second review",
    )
    assert vocabulary.label(vocabulary.STATUSES, "SOMETHING_NEW") == vocabulary.UNKNOWN
