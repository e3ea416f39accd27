from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.agent_spec_architecture import AgentSpecArchitecture
from ..models.agent_spec_overridable_item import AgentSpecOverridableItem
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_spec_variables import AgentSpecVariables
    from ..models.analysis_spec import AnalysisSpec
    from ..models.end_call_tool import EndCallTool
    from ..models.http_tool_input import HttpToolInput
    from ..models.llm_choice import LlmChoice
    from ..models.realtime_choice import RealtimeChoice
    from ..models.recording_spec import RecordingSpec
    from ..models.stt_choice import SttChoice
    from ..models.transfer_tool import TransferTool
    from ..models.tts_choice import TtsChoice
    from ..models.turn_taking import TurnTaking


T = TypeVar("T", bound="AgentSpec")


@_attrs_define
class AgentSpec:
    """The body of POST /v1/agents: name and architecture required, the rest defaulted.

    Attributes:
        name (str):
        architecture (AgentSpecArchitecture):
        instructions (str | Unset):  Default: 'You are a friendly, concise voice assistant. Keep answers short.'.
        greeting (None | str | Unset):
        language (str | Unset):  Default: 'en'.
        max_duration_seconds (int | Unset):  Default: 600.
        stt (SttChoice | Unset):
        llm (LlmChoice | Unset):
        tts (TtsChoice | Unset):
        realtime (RealtimeChoice | Unset):
        variables (AgentSpecVariables | Unset):
        overridable (list[AgentSpecOverridableItem] | Unset):
        timezone (str | Unset):  Default: 'UTC'.
        tools (list[EndCallTool | HttpToolInput | TransferTool] | Unset):
        turn_taking (TurnTaking | Unset): When the caller's turn is over and how the agent answers it.

            After the caller stops speaking the agent waits `min_delay` seconds when the detector
            says the turn looks complete, up to `max_delay` when it does not; `dynamic` learns
            the caller's pauses between these bounds. With `preemptive_generation` the answer (its
            LLM and speech) is prepared during that wait and dropped if the caller continues.
        recording (RecordingSpec | Unset): Agent field `recording`: both sides of every call in one stereo Ogg/Opus
            file.
        analysis (AnalysisSpec | None | Unset):
        stt_model (None | str | Unset): Deprecated: use stt.model
        llm_model (None | str | Unset): Deprecated: use llm.model
        temperature (float | None | Unset): Deprecated: use llm.temperature and realtime.temperature
        tts_model (None | str | Unset): Deprecated: use tts.model
        tts_voice (None | str | Unset): Deprecated: use tts.voice
        provider (None | str | Unset): Deprecated: use realtime.provider
        model (None | str | Unset): Deprecated: use realtime.model
        voice (None | str | Unset): Deprecated: use realtime.voice
    """

    name: str
    architecture: AgentSpecArchitecture
    instructions: str | Unset = "You are a friendly, concise voice assistant. Keep answers short."
    greeting: str | Unset | None = UNSET
    language: str | Unset = "en"
    max_duration_seconds: int | Unset = 600
    stt: SttChoice | Unset = UNSET
    llm: LlmChoice | Unset = UNSET
    tts: TtsChoice | Unset = UNSET
    realtime: RealtimeChoice | Unset = UNSET
    variables: AgentSpecVariables | Unset = UNSET
    overridable: list[AgentSpecOverridableItem] | Unset = UNSET
    timezone: str | Unset = "UTC"
    tools: list[EndCallTool | HttpToolInput | TransferTool] | Unset = UNSET
    turn_taking: TurnTaking | Unset = UNSET
    recording: RecordingSpec | Unset = UNSET
    analysis: AnalysisSpec | Unset | None = UNSET
    stt_model: str | Unset | None = UNSET
    llm_model: str | Unset | None = UNSET
    temperature: float | Unset | None = UNSET
    tts_model: str | Unset | None = UNSET
    tts_voice: str | Unset | None = UNSET
    provider: str | Unset | None = UNSET
    model: str | Unset | None = UNSET
    voice: str | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.analysis_spec import AnalysisSpec
        from ..models.end_call_tool import EndCallTool
        from ..models.http_tool_input import HttpToolInput

        name = self.name

        architecture = self.architecture.value

        instructions = self.instructions

        greeting: str | Unset | None
        if isinstance(self.greeting, Unset):
            greeting = UNSET
        else:
            greeting = self.greeting

        language = self.language

        max_duration_seconds = self.max_duration_seconds

        stt: dict[str, Any] | Unset = UNSET
        if not isinstance(self.stt, Unset):
            stt = self.stt.to_dict()

        llm: dict[str, Any] | Unset = UNSET
        if not isinstance(self.llm, Unset):
            llm = self.llm.to_dict()

        tts: dict[str, Any] | Unset = UNSET
        if not isinstance(self.tts, Unset):
            tts = self.tts.to_dict()

        realtime: dict[str, Any] | Unset = UNSET
        if not isinstance(self.realtime, Unset):
            realtime = self.realtime.to_dict()

        variables: dict[str, Any] | Unset = UNSET
        if not isinstance(self.variables, Unset):
            variables = self.variables.to_dict()

        overridable: list[str] | Unset = UNSET
        if not isinstance(self.overridable, Unset):
            overridable = []
            for overridable_item_data in self.overridable:
                overridable_item = overridable_item_data.value
                overridable.append(overridable_item)

        timezone = self.timezone

        tools: list[dict[str, Any]] | Unset = UNSET
        if not isinstance(self.tools, Unset):
            tools = []
            for tools_item_data in self.tools:
                tools_item: dict[str, Any]
                if isinstance(tools_item_data, HttpToolInput) or isinstance(
                    tools_item_data, EndCallTool
                ):
                    tools_item = tools_item_data.to_dict()
                else:
                    tools_item = tools_item_data.to_dict()

                tools.append(tools_item)

        turn_taking: dict[str, Any] | Unset = UNSET
        if not isinstance(self.turn_taking, Unset):
            turn_taking = self.turn_taking.to_dict()

        recording: dict[str, Any] | Unset = UNSET
        if not isinstance(self.recording, Unset):
            recording = self.recording.to_dict()

        analysis: dict[str, Any] | Unset | None
        if isinstance(self.analysis, Unset):
            analysis = UNSET
        elif isinstance(self.analysis, AnalysisSpec):
            analysis = self.analysis.to_dict()
        else:
            analysis = self.analysis

        stt_model: str | Unset | None
        if isinstance(self.stt_model, Unset):
            stt_model = UNSET
        else:
            stt_model = self.stt_model

        llm_model: str | Unset | None
        if isinstance(self.llm_model, Unset):
            llm_model = UNSET
        else:
            llm_model = self.llm_model

        temperature: float | Unset | None
        if isinstance(self.temperature, Unset):
            temperature = UNSET
        else:
            temperature = self.temperature

        tts_model: str | Unset | None
        if isinstance(self.tts_model, Unset):
            tts_model = UNSET
        else:
            tts_model = self.tts_model

        tts_voice: str | Unset | None
        if isinstance(self.tts_voice, Unset):
            tts_voice = UNSET
        else:
            tts_voice = self.tts_voice

        provider: str | Unset | None
        if isinstance(self.provider, Unset):
            provider = UNSET
        else:
            provider = self.provider

        model: str | Unset | None
        if isinstance(self.model, Unset):
            model = UNSET
        else:
            model = self.model

        voice: str | Unset | None
        if isinstance(self.voice, Unset):
            voice = UNSET
        else:
            voice = self.voice

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "name": name,
                "architecture": architecture,
            }
        )
        if instructions is not UNSET:
            field_dict["instructions"] = instructions
        if greeting is not UNSET:
            field_dict["greeting"] = greeting
        if language is not UNSET:
            field_dict["language"] = language
        if max_duration_seconds is not UNSET:
            field_dict["max_duration_seconds"] = max_duration_seconds
        if stt is not UNSET:
            field_dict["stt"] = stt
        if llm is not UNSET:
            field_dict["llm"] = llm
        if tts is not UNSET:
            field_dict["tts"] = tts
        if realtime is not UNSET:
            field_dict["realtime"] = realtime
        if variables is not UNSET:
            field_dict["variables"] = variables
        if overridable is not UNSET:
            field_dict["overridable"] = overridable
        if timezone is not UNSET:
            field_dict["timezone"] = timezone
        if tools is not UNSET:
            field_dict["tools"] = tools
        if turn_taking is not UNSET:
            field_dict["turn_taking"] = turn_taking
        if recording is not UNSET:
            field_dict["recording"] = recording
        if analysis is not UNSET:
            field_dict["analysis"] = analysis
        if stt_model is not UNSET:
            field_dict["stt_model"] = stt_model
        if llm_model is not UNSET:
            field_dict["llm_model"] = llm_model
        if temperature is not UNSET:
            field_dict["temperature"] = temperature
        if tts_model is not UNSET:
            field_dict["tts_model"] = tts_model
        if tts_voice is not UNSET:
            field_dict["tts_voice"] = tts_voice
        if provider is not UNSET:
            field_dict["provider"] = provider
        if model is not UNSET:
            field_dict["model"] = model
        if voice is not UNSET:
            field_dict["voice"] = voice

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_spec_variables import AgentSpecVariables
        from ..models.analysis_spec import AnalysisSpec
        from ..models.end_call_tool import EndCallTool
        from ..models.http_tool_input import HttpToolInput
        from ..models.llm_choice import LlmChoice
        from ..models.realtime_choice import RealtimeChoice
        from ..models.recording_spec import RecordingSpec
        from ..models.stt_choice import SttChoice
        from ..models.transfer_tool import TransferTool
        from ..models.tts_choice import TtsChoice
        from ..models.turn_taking import TurnTaking

        d = dict(src_dict)
        name = d.pop("name")

        architecture = AgentSpecArchitecture(d.pop("architecture"))

        instructions = d.pop("instructions", UNSET)

        def _parse_greeting(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        greeting = _parse_greeting(d.pop("greeting", UNSET))

        language = d.pop("language", UNSET)

        max_duration_seconds = d.pop("max_duration_seconds", UNSET)

        _stt = d.pop("stt", UNSET)
        stt: SttChoice | Unset
        if isinstance(_stt, Unset):
            stt = UNSET
        else:
            stt = SttChoice.from_dict(_stt)

        _llm = d.pop("llm", UNSET)
        llm: LlmChoice | Unset
        if isinstance(_llm, Unset):
            llm = UNSET
        else:
            llm = LlmChoice.from_dict(_llm)

        _tts = d.pop("tts", UNSET)
        tts: TtsChoice | Unset
        if isinstance(_tts, Unset):
            tts = UNSET
        else:
            tts = TtsChoice.from_dict(_tts)

        _realtime = d.pop("realtime", UNSET)
        realtime: RealtimeChoice | Unset
        if isinstance(_realtime, Unset):
            realtime = UNSET
        else:
            realtime = RealtimeChoice.from_dict(_realtime)

        _variables = d.pop("variables", UNSET)
        variables: AgentSpecVariables | Unset
        if isinstance(_variables, Unset):
            variables = UNSET
        else:
            variables = AgentSpecVariables.from_dict(_variables)

        _overridable = d.pop("overridable", UNSET)
        overridable: list[AgentSpecOverridableItem] | Unset = UNSET
        if _overridable is not UNSET:
            overridable = []
            for overridable_item_data in _overridable:
                overridable_item = AgentSpecOverridableItem(overridable_item_data)

                overridable.append(overridable_item)

        timezone = d.pop("timezone", UNSET)

        _tools = d.pop("tools", UNSET)
        tools: list[EndCallTool | HttpToolInput | TransferTool] | Unset = UNSET
        if _tools is not UNSET:
            tools = []
            for tools_item_data in _tools:

                def _parse_tools_item(data: object) -> EndCallTool | HttpToolInput | TransferTool:
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        tools_item_type_0 = HttpToolInput.from_dict(data)

                        return tools_item_type_0
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        tools_item_type_1 = EndCallTool.from_dict(data)

                        return tools_item_type_1
                    except (TypeError, ValueError, AttributeError, KeyError):
                        pass
                    if not isinstance(data, dict):
                        raise TypeError()
                    tools_item_type_2 = TransferTool.from_dict(data)

                    return tools_item_type_2

                tools_item = _parse_tools_item(tools_item_data)

                tools.append(tools_item)

        _turn_taking = d.pop("turn_taking", UNSET)
        turn_taking: TurnTaking | Unset
        if isinstance(_turn_taking, Unset):
            turn_taking = UNSET
        else:
            turn_taking = TurnTaking.from_dict(_turn_taking)

        _recording = d.pop("recording", UNSET)
        recording: RecordingSpec | Unset
        if isinstance(_recording, Unset):
            recording = UNSET
        else:
            recording = RecordingSpec.from_dict(_recording)

        def _parse_analysis(data: object) -> AnalysisSpec | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                analysis_type_0 = AnalysisSpec.from_dict(data)

                return analysis_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AnalysisSpec | None | Unset, data)

        analysis = _parse_analysis(d.pop("analysis", UNSET))

        def _parse_stt_model(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        stt_model = _parse_stt_model(d.pop("stt_model", UNSET))

        def _parse_llm_model(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        llm_model = _parse_llm_model(d.pop("llm_model", UNSET))

        def _parse_temperature(data: object) -> float | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        temperature = _parse_temperature(d.pop("temperature", UNSET))

        def _parse_tts_model(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tts_model = _parse_tts_model(d.pop("tts_model", UNSET))

        def _parse_tts_voice(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        tts_voice = _parse_tts_voice(d.pop("tts_voice", UNSET))

        def _parse_provider(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        provider = _parse_provider(d.pop("provider", UNSET))

        def _parse_model(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        model = _parse_model(d.pop("model", UNSET))

        def _parse_voice(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        voice = _parse_voice(d.pop("voice", UNSET))

        agent_spec = cls(
            name=name,
            architecture=architecture,
            instructions=instructions,
            greeting=greeting,
            language=language,
            max_duration_seconds=max_duration_seconds,
            stt=stt,
            llm=llm,
            tts=tts,
            realtime=realtime,
            variables=variables,
            overridable=overridable,
            timezone=timezone,
            tools=tools,
            turn_taking=turn_taking,
            recording=recording,
            analysis=analysis,
            stt_model=stt_model,
            llm_model=llm_model,
            temperature=temperature,
            tts_model=tts_model,
            tts_voice=tts_voice,
            provider=provider,
            model=model,
            voice=voice,
        )

        return agent_spec
