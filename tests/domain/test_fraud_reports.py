"""Reports of one fake group together however the site, number or handle is written."""

from __future__ import annotations

import pytest

from seomin.domain.fraud_reports import STATUSES, TRANSITIONS, can_move, target_key


@pytest.mark.parametrize(
    ("kind", "written", "key"),
    [
        ("site", "https://www.Kinfa-Loan.com/apply?x=1", "kinfa-loan.com"),
        ("site", "kinfa-loan.com", "kinfa-loan.com"),
        ("site", "http://서민금융.한국/대출", "서민금융.한국"),
        ("phone", "010-1234-5678", "01012345678"),
        ("phone", "+82 10 1234 5678", "01012345678"),
        ("phone", "1588-0000", "15880000"),
        ("sns", "@Kinfa_Official", "kinfa_official"),
        ("app", "서민금융 대출앱".replace(" ", ""), "서민금융대출앱"),
    ],
)
def test_targets_reduce_to_their_key(kind: str, written: str, key: str) -> None:
    assert target_key(kind, written) == key


@pytest.mark.parametrize(
    ("kind", "written"),
    [("site", "not a site"), ("site", "localhost"), ("phone", "12"), ("sns", "@"), ("fax", "0212345678")],
)
def test_bad_targets_are_refused(kind: str, written: str) -> None:
    with pytest.raises(ValueError):
        target_key(kind, written)


def test_referred_is_final_and_every_status_is_known() -> None:
    assert set(TRANSITIONS) == set(STATUSES)
    assert can_move("received", "confirmed") and can_move("confirmed", "referred")
    assert not can_move("received", "referred") and not any(can_move("referred", s) for s in STATUSES)
