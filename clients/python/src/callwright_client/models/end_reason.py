from enum import StrEnum


class EndReason(StrEnum):
    AGENT_ENDED = "agent_ended"
    API_ENDED = "api_ended"
    INSUFFICIENT_CREDITS = "insufficient_credits"
    INTERNAL_ERROR = "internal_error"
    LIVEKIT_UNAVAILABLE = "livekit_unavailable"
    MAX_DURATION_REACHED = "max_duration_reached"
    PROVIDER_ERROR = "provider_error"
    USER_LEFT = "user_left"
    USER_NOT_JOINED = "user_not_joined"
    WORKER_UNAVAILABLE = "worker_unavailable"

    def __str__(self) -> str:
        return str(self.value)
