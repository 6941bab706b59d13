"""Notifications (알림): versioned fraud-safe templates, queued in the use case's transaction, sent once."""

from __future__ import annotations

from seomin.services.notifications.outbox import (
    LocalOutbox,
    NotificationSender,
    SentMessage,
    dispatch,
    messages_to,
    queue_message,
)

__all__ = ["LocalOutbox", "NotificationSender", "SentMessage", "dispatch", "messages_to", "queue_message"]
