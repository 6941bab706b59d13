"""Call and chat quality (상담 품질): a transcript checked against a rubric (data).

Four kinds of check, each worth its weight out of the rubric's total:

- ``greeting``: the counselor's first line greets and names the agency (or 1397);
- ``identity``: no counselor line speaks of the person's own records before a line that checks who they are;
- ``disclosure:<code>``: for the chat's topic, the counselor says one phrase of each required disclosure;
- ``prohibited``: the counselor never says a prohibited phrase (a promise of approval, a request for money).

Phrases match the counselor's lines with spaces ignored and case folded. The score is the weights passed
over the weights that applied, as a whole percent rounded half up; a review passes at ``pass_score``.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNSELOR, CUSTOMER = "counselor", "customer"


@dataclass(frozen=True, slots=True)
class Disclosure:
    code: str
    topics: frozenset[str]
    weight: int
    phrases: tuple[str, ...]
    words_ko: str
    words_en: str


@dataclass(frozen=True, slots=True)
class Rubric:
    version: int
    pass_score: int
    greeting_weight: int
    greetings: tuple[str, ...]
    names: tuple[str, ...]
    identity_weight: int
    identity_checks: tuple[str, ...]
    personal_words: tuple[str, ...]
    disclosures: tuple[Disclosure, ...]
    prohibited_weight: int
    prohibited: tuple[str, ...]

    def __post_init__(self) -> None:
        if not 0 < self.pass_score <= 100:
            raise ValueError("pass_score must be 1 to 100")
        weights = [self.greeting_weight, self.identity_weight, self.prohibited_weight]
        if any(w <= 0 for w in weights + [d.weight for d in self.disclosures]):
            raise ValueError("every weight must be positive")
        if len({d.code for d in self.disclosures}) != len(self.disclosures):
            raise ValueError("disclosure codes must be distinct")
        for phrase in (
            self.greetings + self.names + self.identity_checks + self.personal_words + self.prohibited
        ):
            if not _norm(phrase):
                raise ValueError("phrases must not be empty")


@dataclass(frozen=True, slots=True)
class CheckResult:
    code: str
    passed: bool
    weight: int
    evidence: str
    """The line (or phrase) that decided a failure, for the supervisor; empty when passed."""


@dataclass(frozen=True, slots=True)
class QualityResult:
    rubric_version: int
    score: int
    passed: bool
    checks: tuple[CheckResult, ...]

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.checks if not c.passed)


def _norm(text: str) -> str:
    return "".join(text.split()).casefold()


def _has(text: str, phrases: tuple[str, ...]) -> str | None:
    norm = _norm(text)
    return next((p for p in phrases if _norm(p) in norm), None)


def _first(text: str, phrases: tuple[str, ...]) -> int | None:
    """Where the earliest of ``phrases`` starts in the text (spaces ignored), or None."""
    norm = _norm(text)
    found = [at for p in phrases if (at := norm.find(_norm(p))) >= 0]
    return min(found) if found else None


def check_transcript(rubric: Rubric, topic: str, lines: list[tuple[str, str]]) -> QualityResult:
    """Check ``lines`` (speaker ``counselor`` or ``customer``, text), in order, for a conversation on
    ``topic``. A transcript without any counselor line fails every check that applies."""
    said = [text for speaker, text in lines if speaker == COUNSELOR]
    checks: list[CheckResult] = []
    first = said[0] if said else ""
    greeted = (
        bool(said) and _has(first, rubric.greetings) is not None and _has(first, rubric.names) is not None
    )
    checks.append(CheckResult("greeting", greeted, rubric.greeting_weight, "" if greeted else first[:120]))
    identified, premature = False, ""
    for text in said:
        check, personal = _first(text, rubric.identity_checks), _first(text, rubric.personal_words)
        if not identified and personal is not None and (check is None or personal < check):
            premature = text  # the person's records spoken of before (or earlier in the line than) the check
            break
        identified = identified or check is not None
    ok = bool(said) and not premature
    checks.append(CheckResult("identity", ok, rubric.identity_weight, premature[:120]))
    for disclosure in rubric.disclosures:
        if topic in disclosure.topics:
            found = any(_has(text, disclosure.phrases) for text in said)
            checks.append(CheckResult(f"disclosure:{disclosure.code}", found, disclosure.weight, ""))
    bad = next((text for text in said if _has(text, rubric.prohibited)), "")
    checks.append(CheckResult("prohibited", bool(said) and not bad, rubric.prohibited_weight, bad[:120]))
    total = sum(c.weight for c in checks)
    earned = sum(c.weight for c in checks if c.passed)
    score = (earned * 200 + total) // (2 * total)  # whole percent, half up
    return QualityResult(rubric.version, score, score >= rubric.pass_score, tuple(checks))
