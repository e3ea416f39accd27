"""The operator's post-call analysis: which LLM works it out, what it costs, how the
issuers' loop runs it. Read from the same environment as callwright_shared.settings (kept
apart so that the analysis switches live with the code that reads them)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from callwright_shared.settings import EnvSettings, _env


class AnalysisSettings(EnvSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
        env_ignore_empty=True,
    )

    # A provider of the registry (callwright_shared.agents.registry) of kind `openai`:
    # analysis speaks the OpenAI-compatible chat completions API.
    provider: str = Field("openai", validation_alias=_env("CALLWRIGHT_ANALYSIS_PROVIDER"))
    model: str = Field("gpt-4o-mini", validation_alias=_env("CALLWRIGHT_ANALYSIS_MODEL"))
    # The operator's price of one analysis, charged once when it succeeds.
    credits_per_analysis: int = Field(
        1, ge=0, le=1_000_000, validation_alias=_env("CALLWRIGHT_PRICE_ANALYSIS_CREDITS")
    )
    # Tries per analysis (an error, or output that does not fit the schema), then `failed`.
    attempts: int = Field(3, gt=0, le=10, validation_alias=_env("CALLWRIGHT_ANALYSIS_ATTEMPTS"))
    retry_delay_seconds: float = Field(
        10.0, ge=0, validation_alias=_env("CALLWRIGHT_ANALYSIS_RETRY_DELAY_SECONDS")
    )
    # How often each issuer looks for analyses to run; 0 turns the loop off.
    interval_seconds: float = Field(
        5.0, ge=0, validation_alias=_env("CALLWRIGHT_ANALYSIS_INTERVAL_SECONDS")
    )
    # How long after its session settled an analysis waits: a chat reply delivered just
    # before the end is recorded after it.
    delay_seconds: float = Field(
        5.0, ge=0, validation_alias=_env("CALLWRIGHT_ANALYSIS_DELAY_SECONDS")
    )
    timeout_seconds: float = Field(
        60.0, gt=0, validation_alias=_env("CALLWRIGHT_ANALYSIS_TIMEOUT_SECONDS")
    )
    # How long a claimed analysis is its issuer's: longer than one request can take.
    lease_seconds: float = Field(
        180.0, gt=0, validation_alias=_env("CALLWRIGHT_ANALYSIS_LEASE_SECONDS")
    )
    # At most this many characters of transcript are sent (the newest are kept).
    max_transcript_chars: int = Field(
        60_000, gt=0, validation_alias=_env("CALLWRIGHT_ANALYSIS_MAX_TRANSCRIPT_CHARS")
    )
    batch: int = Field(10, gt=0, le=100, validation_alias=_env("CALLWRIGHT_ANALYSIS_BATCH"))
