"""Notifications (알림): versioned fraud-safe templates, queued in the use case's transaction, sent once."""

from __future__ import annotations

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
    "LocalOutbox",
    "NotificationSender",
    "QueuedItem",
    "SentMessage",
    "dispatch",
    "messages_to",
    "queue_message",
    "queue_messages",
]
