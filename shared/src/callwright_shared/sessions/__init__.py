"""Sessions: lifecycle and settlement, configuration, public view, outbox, chat, idempotency."""
