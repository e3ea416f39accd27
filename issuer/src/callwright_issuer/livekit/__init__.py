"""The issuer's boundary with LiveKit: rooms, participant tokens, inbound webhooks."""
