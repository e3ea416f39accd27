from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.agent_update_architecture_type_0 import AgentUpdateArchitectureType0
from ..models.agent_update_overridable_type_0_item import AgentUpdateOverridableType0Item
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_update_variables_type_0 import AgentUpdateVariablesType0
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


T = TypeVar("T", bound="AgentUpdate")


@_attrs_define
class AgentUpdate:
    """The body of PATCH /v1/agents/{id}: any subset of the fields.

    Attributes:
        name (None | str | Unset):
        architecture (AgentUpdateArchitectureType0 | None | Unset):
        instructions (None | str | Unset):
        greeting (None | str | Unset):
        language (None | str | Unset):
        max_duration_seconds (int | None | Unset):
        stt (None | SttChoice | Unset):
        llm (LlmChoice | None | Unset):
        tts (None | TtsChoice | Unset):
        realtime (None | RealtimeChoice | Unset):
        variables (AgentUpdateVariablesType0 | None | Unset):
        overridable (list[AgentUpdateOverridableType0Item] | None | Unset):
        timezone (None | str | Unset):
        tools (list[EndCallTool | HttpToolInput | TransferTool] | None | Unset):
        turn_taking (None | TurnTaking | Unset):
        recording (None | RecordingSpec | Unset):
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

    name: str | Unset | None = UNSET
    architecture: AgentUpdateArchitectureType0 | Unset | None = UNSET
    instructions: str | Unset | None = UNSET
    greeting: str | Unset | None = UNSET
    language: str | Unset | None = UNSET
    max_duration_seconds: int | Unset | None = UNSET
    stt: SttChoice | Unset | None = UNSET
    llm: LlmChoice | Unset | None = UNSET
    tts: TtsChoice | Unset | None = UNSET
    realtime: RealtimeChoice | Unset | None = UNSET
    variables: AgentUpdateVariablesType0 | Unset | None = UNSET
    overridable: list[AgentUpdateOverridableType0Item] | Unset | None = UNSET
    timezone: str | Unset | None = UNSET
    tools: list[EndCallTool | HttpToolInput | TransferTool] | Unset | None = UNSET
    turn_taking: TurnTaking | Unset | None = UNSET
    recording: RecordingSpec | Unset | None = UNSET
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
        from ..models.agent_update_variables_type_0 import AgentUpdateVariablesType0
        from ..models.analysis_spec import AnalysisSpec
        from ..models.end_call_tool import EndCallTool
        from ..models.http_tool_input import HttpToolInput
        from ..models.llm_choice import LlmChoice
        from ..models.realtime_choice import RealtimeChoice
        from ..models.recording_spec import RecordingSpec
        from ..models.stt_choice import SttChoice
        from ..models.tts_choice import TtsChoice
        from ..models.turn_taking import TurnTaking

        name: str | Unset | None
        if isinstance(self.name, Unset):
            name = UNSET
        else:
            name = self.name

        architecture: str | Unset | None
        if isinstance(self.architecture, Unset):
            architecture = UNSET
        elif isinstance(self.architecture, AgentUpdateArchitectureType0):
            architecture = self.architecture.value
        else:
            architecture = self.architecture

        instructions: str | Unset | None
        if isinstance(self.instructions, Unset):
            instructions = UNSET
        else:
            instructions = self.instructions

        greeting: str | Unset | None
        if isinstance(self.greeting, Unset):
            greeting = UNSET
        else:
            greeting = self.greeting

        language: str | Unset | None
        if isinstance(self.language, Unset):
            language = UNSET
        else:
            language = self.language

        max_duration_seconds: int | Unset | None
        if isinstance(self.max_duration_seconds, Unset):
            max_duration_seconds = UNSET
        else:
            max_duration_seconds = self.max_duration_seconds

        stt: dict[str, Any] | Unset | None
        if isinstance(self.stt, Unset):
            stt = UNSET
        elif isinstance(self.stt, SttChoice):
            stt = self.stt.to_dict()
        else:
            stt = self.stt

        llm: dict[str, Any] | Unset | None
        if isinstance(self.llm, Unset):
            llm = UNSET
        elif isinstance(self.llm, LlmChoice):
            llm = self.llm.to_dict()
        else:
            llm = self.llm

        tts: dict[str, Any] | Unset | None
        if isinstance(self.tts, Unset):
            tts = UNSET
        elif isinstance(self.tts, TtsChoice):
            tts = self.tts.to_dict()
        else:
            tts = self.tts

        realtime: dict[str, Any] | Unset | None
        if isinstance(self.realtime, Unset):
            realtime = UNSET
        elif isinstance(self.realtime, RealtimeChoice):
            realtime = self.realtime.to_dict()
        else:
            realtime = self.realtime

        variables: dict[str, Any] | Unset | None
        if isinstance(self.variables, Unset):
            variables = UNSET
        elif isinstance(self.variables, AgentUpdateVariablesType0):
            variables = self.variables.to_dict()
        else:
            variables = self.variables

        overridable: list[str] | Unset | None
        if isinstance(self.overridable, Unset):
            overridable = UNSET
        elif isinstance(self.overridable, list):
            overridable = []
            for overridable_type_0_item_data in self.overridable:
                overridable_type_0_item = overridable_type_0_item_data.value
                overridable.append(overridable_type_0_item)

        else:
            overridable = self.overridable

        timezone: str | Unset | None
        if isinstance(self.timezone, Unset):
            timezone = UNSET
        else:
            timezone = self.timezone

        tools: list[dict[str, Any]] | Unset | None
        if isinstance(self.tools, Unset):
            tools = UNSET
        elif isinstance(self.tools, list):
            tools = []
            for tools_type_0_item_data in self.tools:
                tools_type_0_item: dict[str, Any]
                if isinstance(tools_type_0_item_data, HttpToolInput) or isinstance(
                    tools_type_0_item_data, EndCallTool
                ):
                    tools_type_0_item = tools_type_0_item_data.to_dict()
                else:
                    tools_type_0_item = tools_type_0_item_data.to_dict()

                tools.append(tools_type_0_item)

        else:
            tools = self.tools

        turn_taking: dict[str, Any] | Unset | None
        if isinstance(self.turn_taking, Unset):
            turn_taking = UNSET
        elif isinstance(self.turn_taking, TurnTaking):
            turn_taking = self.turn_taking.to_dict()
        else:
            turn_taking = self.turn_taking

        recording: dict[str, Any] | Unset | None
        if isinstance(self.recording, Unset):
            recording = UNSET
        elif isinstance(self.recording, RecordingSpec):
            recording = self.recording.to_dict()
        else:
            recording = self.recording

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

        field_dict.update({})
        if name is not UNSET:
            field_dict["name"] = name
        if architecture is not UNSET:
            field_dict["architecture"] = architecture
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
        from ..models.agent_update_variables_type_0 import AgentUpdateVariablesType0
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

        def _parse_name(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        name = _parse_name(d.pop("name", UNSET))

        def _parse_architecture(data: object) -> AgentUpdateArchitectureType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                architecture_type_0 = AgentUpdateArchitectureType0(data)

                return architecture_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgentUpdateArchitectureType0 | None | Unset, data)

        architecture = _parse_architecture(d.pop("architecture", UNSET))

        def _parse_instructions(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        instructions = _parse_instructions(d.pop("instructions", UNSET))

        def _parse_greeting(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        greeting = _parse_greeting(d.pop("greeting", UNSET))

        def _parse_language(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        language = _parse_language(d.pop("language", UNSET))

        def _parse_max_duration_seconds(data: object) -> int | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        max_duration_seconds = _parse_max_duration_seconds(d.pop("max_duration_seconds", UNSET))

        def _parse_stt(data: object) -> SttChoice | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                stt_type_0 = SttChoice.from_dict(data)

                return stt_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SttChoice | Unset, data)

        stt = _parse_stt(d.pop("stt", UNSET))

        def _parse_llm(data: object) -> LlmChoice | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                llm_type_0 = LlmChoice.from_dict(data)

                return llm_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(LlmChoice | None | Unset, data)

        llm = _parse_llm(d.pop("llm", UNSET))

        def _parse_tts(data: object) -> TtsChoice | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                tts_type_0 = TtsChoice.from_dict(data)

                return tts_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TtsChoice | Unset, data)

        tts = _parse_tts(d.pop("tts", UNSET))

        def _parse_realtime(data: object) -> RealtimeChoice | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                realtime_type_0 = RealtimeChoice.from_dict(data)

                return realtime_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RealtimeChoice | Unset, data)

        realtime = _parse_realtime(d.pop("realtime", UNSET))

        def _parse_variables(data: object) -> AgentUpdateVariablesType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                variables_type_0 = AgentUpdateVariablesType0.from_dict(data)

                return variables_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(AgentUpdateVariablesType0 | None | Unset, data)

        variables = _parse_variables(d.pop("variables", UNSET))

        def _parse_overridable(
            data: object,
        ) -> list[AgentUpdateOverridableType0Item] | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                overridable_type_0 = []
                _overridable_type_0 = data
                for overridable_type_0_item_data in _overridable_type_0:
                    overridable_type_0_item = AgentUpdateOverridableType0Item(
                        overridable_type_0_item_data
                    )

                    overridable_type_0.append(overridable_type_0_item)

                return overridable_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[AgentUpdateOverridableType0Item] | None | Unset, data)

        overridable = _parse_overridable(d.pop("overridable", UNSET))

        def _parse_timezone(data: object) -> str | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        timezone = _parse_timezone(d.pop("timezone", UNSET))

        def _parse_tools(
            data: object,
        ) -> list[EndCallTool | HttpToolInput | TransferTool] | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                tools_type_0 = []
                _tools_type_0 = data
                for tools_type_0_item_data in _tools_type_0:

                    def _parse_tools_type_0_item(
                        data: object,
                    ) -> EndCallTool | HttpToolInput | TransferTool:
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            tools_type_0_item_type_0 = HttpToolInput.from_dict(data)

                            return tools_type_0_item_type_0
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        try:
                            if not isinstance(data, dict):
                                raise TypeError()
                            tools_type_0_item_type_1 = EndCallTool.from_dict(data)

                            return tools_type_0_item_type_1
                        except (TypeError, ValueError, AttributeError, KeyError):
                            pass
                        if not isinstance(data, dict):
                            raise TypeError()
                        tools_type_0_item_type_2 = TransferTool.from_dict(data)

                        return tools_type_0_item_type_2

                    tools_type_0_item = _parse_tools_type_0_item(tools_type_0_item_data)

                    tools_type_0.append(tools_type_0_item)

                return tools_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[EndCallTool | HttpToolInput | TransferTool] | None | Unset, data)

        tools = _parse_tools(d.pop("tools", UNSET))

        def _parse_turn_taking(data: object) -> TurnTaking | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                turn_taking_type_0 = TurnTaking.from_dict(data)

                return turn_taking_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | TurnTaking | Unset, data)

        turn_taking = _parse_turn_taking(d.pop("turn_taking", UNSET))

        def _parse_recording(data: object) -> RecordingSpec | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                recording_type_0 = RecordingSpec.from_dict(data)

                return recording_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | RecordingSpec | Unset, data)

        recording = _parse_recording(d.pop("recording", UNSET))

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

        agent_update = cls(
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

        return agent_update
