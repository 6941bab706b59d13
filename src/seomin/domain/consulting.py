"""신용·부채관리 컨설팅 (credit and debt consulting): a programme of up to six monthly sessions.

A counselor enrolls the person with a plan and the number of sessions (1–6); sessions are held one a
calendar month, in order, never before the enrollment nor in the future. Recording the last planned
session completes the programme, and a completed programme is the ``consulting`` preferential that the
catalog's products grant (``rate.preferential``) when the person's next guarantee is issued.
"""

from __future__ import annotations

from datetime import date
from typing import Final

MAX_SESSIONS: Final = 6
MAX_TEXT: Final = 4000


def session_problem(enrolled_on: date, previous: date | None, held_on: date, today: date) -> str | None:
    """Why a session on ``held_on`` cannot be recorded (a message), or None when it can."""
    if held_on > today:
        return f"is after today ({today.isoformat()})"
    if held_on < enrolled_on:
        return f"is before the enrollment ({enrolled_on.isoformat()})"
    if previous is not None and (held_on.year, held_on.month) <= (previous.year, previous.month):
        return f"sessions are monthly: the previous one was held on {previous.isoformat()}"
    return None
