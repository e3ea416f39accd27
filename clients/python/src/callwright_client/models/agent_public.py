from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.agent_public_architecture import AgentPublicArchitecture
from ..models.agent_public_overridable_item import AgentPublicOverridableItem
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.agent_public_variables import AgentPublicVariables
    from ..models.analysis_spec import AnalysisSpec
    from ..models.end_call_tool import EndCallTool
    from ..models.http_tool import HttpTool
    from ..models.llm_choice import LlmChoice
    from ..models.realtime_choice import RealtimeChoice
    from ..models.recording_spec import RecordingSpec
    from ..models.stt_choice import SttChoice
    from ..models.transfer_tool import TransferTool
    from ..models.tts_choice import TtsChoice
    from ..models.turn_taking import TurnTaking


T = TypeVar("T", bound="AgentPublic")


@_attrs_define
class AgentPublic:
    """What GET /v1/agents/{id} answers: the spec, id, timestamps and the effective prices
    (read-only; None where the architecture has no such price).

        Attributes:
            id (str):
            name (str):
            architecture (AgentPublicArchitecture):
            credits_per_minute (int | None):
            credits_per_message (int | None):
            created_at (datetime.datetime):
            updated_at (datetime.datetime):
            instructions (str | Unset):  Default: 'You are a friendly, concise voice assistant. Keep answers short.'.
            greeting (None | str | Unset):
            language (str | Unset):  Default: 'en'.
            max_duration_seconds (int | Unset):  Default: 600.
            stt (SttChoice | Unset):
            llm (LlmChoice | Unset):
            tts (TtsChoice | Unset):
            realtime (RealtimeChoice | Unset):
            variables (AgentPublicVariables | Unset):
            overridable (list[AgentPublicOverridableItem] | Unset):
            timezone (str | Unset):  Default: 'UTC'.
            tools (list[EndCallTool | HttpTool | TransferTool] | Unset):
            turn_taking (TurnTaking | Unset): When the caller's turn is over and how the agent answers it.

                After the caller stops speaking the agent waits `min_delay` seconds when the detector
                says the turn looks complete, up to `max_delay` when it does not; `dynamic` learns
                the caller's pauses between these bounds. With `preemptive_generation` the answer (its
                LLM and speech) is prepared during that wait and dropped if the caller continues.
            recording (RecordingSpec | Unset): Agent field `recording`: both sides of every call in one stereo Ogg/Opus
                file.
            analysis (AnalysisSpec | None | Unset):
    """

    id: str
    name: str
    architecture: AgentPublicArchitecture
    credits_per_minute: int | None
    credits_per_message: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    instructions: str | Unset = "You are a friendly, concise voice assistant. Keep answers short."
    greeting: str | Unset | None = UNSET
    language: str | Unset = "en"
    max_duration_seconds: int | Unset = 600
    stt: SttChoice | Unset = UNSET
    llm: LlmChoice | Unset = UNSET
    tts: TtsChoice | Unset = UNSET
    realtime: RealtimeChoice | Unset = UNSET
    variables: AgentPublicVariables | Unset = UNSET
    overridable: list[AgentPublicOverridableItem] | Unset = UNSET
    timezone: str | Unset = "UTC"
    tools: list[EndCallTool | HttpTool | TransferTool] | Unset = UNSET
    turn_taking: TurnTaking | Unset = UNSET
    recording: RecordingSpec | Unset = UNSET
    analysis: AnalysisSpec | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.analysis_spec import AnalysisSpec
        from ..models.end_call_tool import EndCallTool
        from ..models.http_tool import HttpTool

        id = self.id

        name = self.name

        architecture = self.architecture.value

        credits_per_minute: int | None
        credits_per_minute = self.credits_per_minute

        credits_per_message: int | None
        credits_per_message = self.credits_per_message

        created_at = self.created_at.isoformat()

        updated_at = self.updated_at.isoformat()

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
                if isinstance(tools_item_data, HttpTool) or isinstance(
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

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "id": id,
                "name": name,
                "architecture": architecture,
                "credits_per_minute": credits_per_minute,
                "credits_per_message": credits_per_message,
                "created_at": created_at,
                "updated_at": updated_at,
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

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.agent_public_variables import AgentPublicVariables
        from ..models.analysis_spec import AnalysisSpec
        from ..models.end_call_tool import EndCallTool
        from ..models.http_tool import HttpTool
        from ..models.llm_choice import LlmChoice
        from ..models.realtime_choice import RealtimeChoice
        from ..models.recording_spec import RecordingSpec
        from ..models.stt_choice import SttChoice
        from ..models.transfer_tool import TransferTool
        from ..models.tts_choice import TtsChoice
        from ..models.turn_taking import TurnTaking

        d = dict(src_dict)
        id = d.pop("id")

        name = d.pop("name")

        architecture = AgentPublicArchitecture(d.pop("architecture"))

        def _parse_credits_per_minute(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credits_per_minute = _parse_credits_per_minute(d.pop("credits_per_minute"))

        def _parse_credits_per_message(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        credits_per_message = _parse_credits_per_message(d.pop("credits_per_message"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        updated_at = datetime.datetime.fromisoformat(d.pop("updated_at"))

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
        variables: AgentPublicVariables | Unset
        if isinstance(_variables, Unset):
            variables = UNSET
        else:
            variables = AgentPublicVariables.from_dict(_variables)

        _overridable = d.pop("overridable", UNSET)
        overridable: list[AgentPublicOverridableItem] | Unset = UNSET
        if _overridable is not UNSET:
            overridable = []
            for overridable_item_data in _overridable:
                overridable_item = AgentPublicOverridableItem(overridable_item_data)

                overridable.append(overridable_item)

        timezone = d.pop("timezone", UNSET)

        _tools = d.pop("tools", UNSET)
        tools: list[EndCallTool | HttpTool | TransferTool] | Unset = UNSET
        if _tools is not UNSET:
            tools = []
            for tools_item_data in _tools:

                def _parse_tools_item(data: object) -> EndCallTool | HttpTool | TransferTool:
                    try:
                        if not isinstance(data, dict):
                            raise TypeError()
                        tools_item_type_0 = HttpTool.from_dict(data)

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

        agent_public = cls(
            id=id,
            name=name,
            architecture=architecture,
            credits_per_minute=credits_per_minute,
            credits_per_message=credits_per_message,
            created_at=created_at,
            updated_at=updated_at,
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
        )

        return agent_public
