"""Notifications (알림): versioned fraud-safe templates, queued in the use case's transaction, sent once."""

from __future__ import annotations

from seomin.services.notifications.events import EVENT_MESSAGES, notify_events, queue_reminders
from seomin.services.notifications.outbox import (
    LocalOutbox,
    NotificationSender,
    QueuedItem,
    SentMessage,
    dispatch,
    messages_to,
    queue_message,
    queue_messages,
)

__all__ = [
    "EVENT_MESSAGES",
    "LocalOutbox",
    "NotificationSender",
    "QueuedItem",
    "SentMessage",
    "dispatch",
    "messages_to",
    "notify_events",
    "queue_message",
    "queue_messages",
    "queue_reminders",
]
