"""The quality rubric's checks on transcripts (domain.quality with the packaged rubric)."""

from __future__ import annotations

import pytest

from seomin.adapters.quality_rubric import RubricError, default_rubric, parse_rubric
from seomin.domain.quality import COUNSELOR, CUSTOMER, check_transcript

RUBRIC = default_rubric()
GOOD = [
    (COUNSELOR, "안녕하세요, 서민금융진흥원 1397 상담사입니다."),
    (CUSTOMER, "제 대출 연체가 있는지 궁금해요"),
    (COUNSELOR, "먼저 성함과 생년월일을 확인하겠습니다."),
    (CUSTOMER, "홍길동, 1985년 3월 1일입니다"),
    (COUNSELOR, "확인되었습니다. 현재 연체는 없습니다. 연체 시 연체이자가 붙고 신용정보에 남습니다."),
]


def test_a_good_call_passes_every_check() -> None:
    result = check_transcript(RUBRIC, "repayment", GOOD)
    assert result.failed == () and result.score == 100 and result.passed
    assert [c.code for c in result.checks] == [
        "greeting",
        "identity",
        "disclosure:arrears_consequence",
        "prohibited",
    ]


def test_personal_data_before_the_identity_check_fails_and_names_the_line() -> None:
    early = [GOOD[0], GOOD[1], (COUNSELOR, "고객님 연체는 없습니다. 본인확인 해 드릴게요.")]
    result = check_transcript(RUBRIC, "repayment", early)
    identity = next(c for c in result.checks if c.code == "identity")
    assert not identity.passed and "연체는 없습니다" in identity.evidence
    # 20 greeting + 30 prohibited of 100 (identity 30 and the arrears disclosure 20 failed)
    assert result.score == 50 and not result.passed


def test_a_promise_of_approval_and_a_missing_greeting_fail_spacing_ignored() -> None:
    lines = [(COUNSELOR, "네 무조건 승인 됩니다"), (COUNSELOR, "심사 결과에 따라 다릅니다")]
    result = check_transcript(RUBRIC, "products", lines)
    assert set(result.failed) == {"greeting", "prohibited"}
    # identity 30 + disclosure 20 passed of 100: 50
    assert result.score == 50


def test_no_counselor_line_fails_everything_and_topics_without_disclosures_skip_them() -> None:
    result = check_transcript(RUBRIC, "other", [(CUSTOMER, "여보세요")])
    assert result.score == 0 and set(result.failed) == {"greeting", "identity", "prohibited"}


def test_the_score_rounds_half_up_to_a_whole_percent() -> None:
    # other topic: greeting 20 + identity 30 + prohibited 30 = 80; failing greeting leaves 60/80 = 75
    lines = [(COUNSELOR, "네 말씀하세요")]
    assert check_transcript(RUBRIC, "other", lines).score == 75
    # fraud: +20 disclosure = 100 weights; greeting only failed -> 80
    lines = [(COUNSELOR, "네"), (COUNSELOR, "공식 번호는 1397입니다")]
    assert check_transcript(RUBRIC, "fraud", lines).score == 80


def test_a_bad_rubric_fails_at_load_naming_the_field() -> None:
    with pytest.raises(RubricError, match="greeting"):
        parse_rubric({"version": 1, "pass_score": 80})
