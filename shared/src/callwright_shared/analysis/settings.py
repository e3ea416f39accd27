"""The operator's post-call analysis: which LLM works it out, what it costs, how the
issuers' loop runs it. Read from the same environment as callwright_shared.settings (kept
apart so that the analysis switches live with the code that reads them)."""

from __future__ import annotations

from pydantic import Field

from callwright_shared.settings import EnvSettings, _env


class AnalysisSettings(EnvSettings):
    """Post-call analysis: the operator's model, its price, and the issuers' loop that
    runs it (docs/analysis.md)."""

    provider: str = Field(
        "openai",
        validation_alias=_env("CALLWRIGHT_ANALYSIS_PROVIDER"),
        description=(
            "The LLM provider that analyses sessions: a provider of the registry of kind "
            "openai (the chat completions API)."
        ),
    )
    model: str = Field(
        "gpt-4o-mini",
        validation_alias=_env("CALLWRIGHT_ANALYSIS_MODEL"),
        description="The model analyses use.",
    )
    credits_per_analysis: int = Field(
        1,
        ge=0,
        le=1_000_000,
        validation_alias=_env("CALLWRIGHT_PRICE_ANALYSIS_CREDITS"),
        description="The price of one analysis in credits, charged once when it succeeds.",
    )
    attempts: int = Field(
        3,
        gt=0,
        le=10,
        validation_alias=_env("CALLWRIGHT_ANALYSIS_ATTEMPTS"),
        description=(
            "Tries per analysis (an error, or output that does not fit the agent's "
            "data_schema), then failed."
        ),
    )
    retry_delay_seconds: float = Field(
        10.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_ANALYSIS_RETRY_DELAY_SECONDS"),
        description="Seconds between an analysis's tries.",
    )
    interval_seconds: float = Field(
        5.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_ANALYSIS_INTERVAL_SECONDS"),
        description="How often each issuer looks for analyses to run; 0 turns analysis off.",
    )
    delay_seconds: float = Field(
        5.0,
        ge=0,
        validation_alias=_env("CALLWRIGHT_ANALYSIS_DELAY_SECONDS"),
        description=(
            "Seconds an analysis waits after its session settled (a chat reply delivered "
            "just before the end is recorded after it)."
        ),
    )
    timeout_seconds: float = Field(
        60.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_ANALYSIS_TIMEOUT_SECONDS"),
        description="Seconds one analysis request may take.",
    )
    lease_seconds: float = Field(
        180.0,
        gt=0,
        validation_alias=_env("CALLWRIGHT_ANALYSIS_LEASE_SECONDS"),
        description=(
            "How long a claimed analysis is its issuer's (longer than one request can take)."
        ),
    )
    max_transcript_chars: int = Field(
        60_000,
        gt=0,
        validation_alias=_env("CALLWRIGHT_ANALYSIS_MAX_TRANSCRIPT_CHARS"),
        description=(
            "At most this many characters of transcript are sent to the model (the newest"
            " are kept)."
        ),
    )
    batch: int = Field(
        10,
        gt=0,
        le=100,
        validation_alias=_env("CALLWRIGHT_ANALYSIS_BATCH"),
        description="Analyses one issuer claims per pass.",
    )
