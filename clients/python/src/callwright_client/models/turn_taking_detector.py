from enum import StrEnum


class TurnTakingDetector(StrEnum):
    END_OF_TURN_MODEL = "end_of_turn_model"
    TRANSCRIPT = "transcript"
    VAD = "vad"

    def __str__(self) -> str:
        return str(self.value)
