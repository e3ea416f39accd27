from enum import StrEnum


class WebhookEndpointCreateEventsItem(StrEnum):
    SESSION_ANALYZED = "session.analyzed"
    SESSION_CREATED = "session.created"
    SESSION_ENDED = "session.ended"
    SESSION_RECORDING_READY = "session.recording_ready"
    SESSION_STARTED = "session.started"

    def __str__(self) -> str:
        return str(self.value)
