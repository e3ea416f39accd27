"""The issuer's boundary with the operator's analysis LLM (callwright_shared.analysis).

`AnalysisModel` is the Protocol the analysis loop uses; `OpenAICompatibleAnalysisModel`
is the one implementation: one non-streamed chat completion with `response_format:
json_schema`, on the provider CALLWRIGHT_ANALYSIS_PROVIDER names in the registry
(callwright_shared.agents.registry; kind `openai`: any OpenAI-compatible server) with
CALLWRIGHT_ANALYSIS_MODEL. Every failure becomes `AnalysisModelError`, an attempt that
failed with its reason. Built once per app on first use (`analysis_model_of`); a test
may place its own `analysis_settings` or `analysis_model` on `app.state` first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import openai
from openai.types.chat import ChatCompletionSystemMessageParam, ChatCompletionUserMessageParam
from openai.types.shared_params import ResponseFormatJSONSchema
from openai.types.shared_params.response_format_json_schema import JSONSchema

from callwright_shared.agents.providers import ProviderConfigError
from callwright_shared.agents.registry import ProvidersFileError, registry_of
from callwright_shared.analysis.settings import AnalysisSettings
from callwright_shared.settings import CallwrightSettings


class AnalysisModelError(Exception):
    """The model could not answer (not configured, unreachable, an error status)."""


@dataclass(frozen=True, slots=True)
class AnalysisRequest:
    """The task (system message), the transcript (user message) and the answer's schema."""

    system: str
    user: str
    schema: dict[str, Any]


class AnalysisModel(Protocol):
    @property
    def model(self) -> str: ...

    async def complete(self, request: AnalysisRequest) -> str | None:
        """The model's answer (its message's text)."""
        ...

    async def aclose(self) -> None: ...


class OpenAICompatibleAnalysisModel:
    def __init__(self, settings: CallwrightSettings, analysis: AnalysisSettings) -> None:
        self._settings = settings
        self._analysis = analysis
        self._client: openai.AsyncOpenAI | None = None

    @property
    def model(self) -> str:
        return self._analysis.model

    def _client_of(self) -> openai.AsyncOpenAI:
        if self._client is not None:
            return self._client
        name = self._analysis.provider
        try:
            provider = registry_of(self._settings).find(name)
            if provider is None or provider.kind != "openai":
                raise AnalysisModelError(
                    f"CALLWRIGHT_ANALYSIS_PROVIDER: '{name}' is not an OpenAI-compatible "
                    "provider of the registry"
                )
            key = provider.key(self._settings)
        except (ProviderConfigError, ProvidersFileError) as exc:
            raise AnalysisModelError(str(exc)) from None
        self._client = openai.AsyncOpenAI(
            # A server of the operator's own may take no key; the SDK wants a value.
            api_key=key or "unused",
            base_url=provider.base_url,
            timeout=self._analysis.timeout_seconds,
            max_retries=0,  # the loop's attempts are the retries
        )
        return self._client

    async def complete(self, request: AnalysisRequest) -> str | None:
        client = self._client_of()
        try:
            response = await client.chat.completions.create(
                model=self._analysis.model,
                messages=[
                    ChatCompletionSystemMessageParam(role="system", content=request.system),
                    ChatCompletionUserMessageParam(role="user", content=request.user),
                ],
                response_format=ResponseFormatJSONSchema(
                    type="json_schema",
                    json_schema=JSONSchema(name="analysis", schema=request.schema, strict=False),
                ),
                temperature=0,
            )
        except openai.APIStatusError as exc:
            raise AnalysisModelError(f"the analysis model answered {exc.status_code}") from None
        except openai.OpenAIError as exc:
            raise AnalysisModelError(
                f"the analysis model could not be reached ({type(exc).__name__})"
            ) from None
        if not response.choices:
            return None
        content: str | None = response.choices[0].message.content
        return content

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()


def analysis_settings_of(state: Any) -> AnalysisSettings:
    found: AnalysisSettings | None = getattr(state, "analysis_settings", None)
    if found is None:
        found = state.analysis_settings = AnalysisSettings()
    return found


def analysis_model_of(state: Any) -> AnalysisModel:
    found: AnalysisModel | None = getattr(state, "analysis_model", None)
    if found is None:
        found = state.analysis_model = OpenAICompatibleAnalysisModel(
            state.settings, analysis_settings_of(state)
        )
    return found
