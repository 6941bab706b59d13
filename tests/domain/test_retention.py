"""Document retention (서류 보존기간): golden cases of the Credit Information Act periods and invariants."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from seomin.domain.retention import ApplicationEnd, RetentionBasis, retention_of

SUBMITTED = date(2025, 5, 15)


def test_an_application_that_never_became_a_loan_goes_three_months_after_its_last_event() -> None:
    rejected = retention_of(ApplicationEnd("rejected", date(2025, 5, 31)))
    assert rejected is not None and rejected.basis is RetentionBasis.NOT_ESTABLISHED
    assert (rejected.ended_on, rejected.purge_on) == (date(2025, 5, 31), date(2025, 8, 31))
    withdrawn = retention_of(ApplicationEnd("withdrawn", date(2025, 11, 30)))
    assert withdrawn is not None and withdrawn.purge_on == date(2026, 2, 28)  # clamped to month end
    unused = retention_of(ApplicationEnd("guaranteed", SUBMITTED, "expired", date(2025, 6, 20)))
    assert unused is not None and unused.purge_on == date(2025, 9, 20)


def test_a_repaid_loan_keeps_its_documents_five_years() -> None:
    repaid = retention_of(
        ApplicationEnd("guaranteed", SUBMITTED, "executed", date(2025, 6, 14), "repaid", date(2028, 2, 29))
    )
    assert repaid is not None and repaid.basis is RetentionBasis.RELATIONSHIP_ENDED
    assert repaid.purge_on == date(2033, 2, 28)


def test_anything_still_in_course_is_kept() -> None:
    for end in (
        ApplicationEnd("submitted", SUBMITTED),
        ApplicationEnd("pending_second_review", SUBMITTED),
        ApplicationEnd("approved", SUBMITTED),
        ApplicationEnd("guaranteed", SUBMITTED, "issued", date(2025, 6, 14)),
        ApplicationEnd("guaranteed", SUBMITTED, "executed", date(2025, 6, 14), "active"),
        ApplicationEnd("guaranteed", SUBMITTED, "executed", date(2025, 6, 14), "defaulted"),
        ApplicationEnd("guaranteed", SUBMITTED, "claimed", date(2025, 6, 14), "subrogated"),
    ):
        assert retention_of(end) is None, end


days = st.dates(min_value=date(2020, 1, 1), max_value=date(2040, 12, 31))


@given(last_event=days, status=st.sampled_from(["rejected", "withdrawn"]))
def test_not_established_purges_between_89_and_92_days_after_the_end(last_event: date, status: str) -> None:
    retention = retention_of(ApplicationEnd(status, last_event))
    assert retention is not None and retention.ended_on == last_event
    assert timedelta(days=89) <= retention.purge_on - last_event <= timedelta(days=92)


@given(last_event=days, expires_in=st.integers(min_value=-40, max_value=40))
def test_an_unused_certificate_counts_from_whichever_came_last(last_event: date, expires_in: int) -> None:
    expires_on = last_event + timedelta(days=expires_in)
    retention = retention_of(ApplicationEnd("guaranteed", last_event, "expired", expires_on))
    assert retention is not None and retention.ended_on == max(last_event, expires_on)
