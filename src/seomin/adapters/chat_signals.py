"""Wake-ups for the 1397 chat's live streams (server-sent events), within one process or across many.

A signal carries only a chat number (0 = the counselors' queue): a woken stream reads what is new from the
database, so a lost, duplicated or foreign wake-up costs one read and never shows a wrong line.

- ``LocalSignals``: subscribers in this process (the embedded SQLite default runs one process).
- ``PostgresSignals``: ``NOTIFY seomin_chat, '<n>'`` after each commit; a listener thread per process
  (its own connection, ``LISTEN seomin_chat``) wakes that process's subscribers, so a counselor served by
  one server process sees a message posted through another. Notifications are database-wide: test runs in
  other schemas may wake a stream spuriously, which only costs that read.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator

import psycopg
from sqlalchemy import Engine, text

QUEUE = 0
CHANNEL = "seomin_chat"
log = logging.getLogger(__name__)


class LocalSignals:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = {}

    def publish(self, *channels: int) -> None:
        """Wake every stream of ``channels`` (callable from any thread, after the commit)."""
        for channel in channels:
            self._wake(channel)

    def _wake(self, channel: int) -> None:
        with self._lock:
            waiters = list(self._waiters.get(channel, ()))
        for loop, event in waiters:
            with contextlib.suppress(RuntimeError):  # the loop closed under a stream that is going away
                loop.call_soon_threadsafe(event.set)

    @contextlib.asynccontextmanager
    async def subscription(self, channel: int) -> AsyncIterator[asyncio.Event]:
        """An event set whenever ``channel`` is signalled; the stream clears it before each read."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters.setdefault(channel, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                self._waiters.get(channel, set()).discard(entry)

    def close(self) -> None:
        """Stop listening (nothing to stop in one process)."""


class PostgresSignals(LocalSignals):
    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self._engine = engine
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._listen, name="chat-listen", daemon=True)
        self._thread.start()
        self._ready.wait(5)

    def publish(self, *channels: int) -> None:
        with self._engine.begin() as conn:
            for channel in channels:
                conn.execute(text("SELECT pg_notify(:c, :p)"), {"c": CHANNEL, "p": str(channel)})

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._ready.set()
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            if note.payload.isdigit():
                                self._wake(int(note.payload))
            except psycopg.Error:  # the database went away: wake everyone (they re-read) and reconnect
                log.warning("chat listener lost its connection; reconnecting", exc_info=True)
                with self._lock:
                    channels = list(self._waiters)
                for channel in channels:
                    self._wake(channel)
                self._stop.wait(1)

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)


def signals_for(engine: Engine) -> LocalSignals:
    """PostgreSQL's LISTEN/NOTIFY on PostgreSQL, in-process signals otherwise."""
    return PostgresSignals(engine) if engine.dialect.name == "postgresql" else LocalSignals()
