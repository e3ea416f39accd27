from enum import StrEnum


class ToolCallOutcomeType0(StrEnum):
    ENDED = "ended"
    HTTP_ERROR = "http_error"
    INVALID_ARGUMENTS = "invalid_arguments"
    INVALID_RESPONSE = "invalid_response"
    OK = "ok"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    TOOL_ERROR = "tool_error"
    TRANSFERRED = "transferred"
    UNREACHABLE = "unreachable"

    def __str__(self) -> str:
        return str(self.value)
