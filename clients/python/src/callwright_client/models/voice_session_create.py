from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.voice_session_create_metadata_type_0 import VoiceSessionCreateMetadataType0
    from ..models.voice_session_create_overrides_type_0 import VoiceSessionCreateOverridesType0
    from ..models.voice_session_create_variables_type_0 import VoiceSessionCreateVariablesType0


T = TypeVar("T", bound="VoiceSessionCreate")


@_attrs_define
class VoiceSessionCreate:
    """
    Attributes:
        agent_id (str):
        metadata (None | Unset | VoiceSessionCreateMetadataType0):
        variables (None | Unset | VoiceSessionCreateVariablesType0):
        overrides (None | Unset | VoiceSessionCreateOverridesType0):
    """

    agent_id: str
    metadata: Unset | VoiceSessionCreateMetadataType0 | None = UNSET
    variables: Unset | VoiceSessionCreateVariablesType0 | None = UNSET
    overrides: Unset | VoiceSessionCreateOverridesType0 | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.voice_session_create_metadata_type_0 import VoiceSessionCreateMetadataType0
        from ..models.voice_session_create_overrides_type_0 import VoiceSessionCreateOverridesType0
        from ..models.voice_session_create_variables_type_0 import VoiceSessionCreateVariablesType0

        agent_id = self.agent_id

        metadata: dict[str, Any] | Unset | None
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, VoiceSessionCreateMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        variables: dict[str, Any] | Unset | None
        if isinstance(self.variables, Unset):
            variables = UNSET
        elif isinstance(self.variables, VoiceSessionCreateVariablesType0):
            variables = self.variables.to_dict()
        else:
            variables = self.variables

        overrides: dict[str, Any] | Unset | None
        if isinstance(self.overrides, Unset):
            overrides = UNSET
        elif isinstance(self.overrides, VoiceSessionCreateOverridesType0):
            overrides = self.overrides.to_dict()
        else:
            overrides = self.overrides

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "agent_id": agent_id,
            }
        )
        if metadata is not UNSET:
            field_dict["metadata"] = metadata
        if variables is not UNSET:
            field_dict["variables"] = variables
        if overrides is not UNSET:
            field_dict["overrides"] = overrides

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.voice_session_create_metadata_type_0 import VoiceSessionCreateMetadataType0
        from ..models.voice_session_create_overrides_type_0 import VoiceSessionCreateOverridesType0
        from ..models.voice_session_create_variables_type_0 import VoiceSessionCreateVariablesType0

        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        def _parse_metadata(data: object) -> Unset | VoiceSessionCreateMetadataType0 | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = VoiceSessionCreateMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VoiceSessionCreateMetadataType0, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_variables(data: object) -> Unset | VoiceSessionCreateVariablesType0 | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                variables_type_0 = VoiceSessionCreateVariablesType0.from_dict(data)

                return variables_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VoiceSessionCreateVariablesType0, data)

        variables = _parse_variables(d.pop("variables", UNSET))

        def _parse_overrides(data: object) -> Unset | VoiceSessionCreateOverridesType0 | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                overrides_type_0 = VoiceSessionCreateOverridesType0.from_dict(data)

                return overrides_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | Unset | VoiceSessionCreateOverridesType0, data)

        overrides = _parse_overrides(d.pop("overrides", UNSET))

        voice_session_create = cls(
            agent_id=agent_id,
            metadata=metadata,
            variables=variables,
            overrides=overrides,
        )

        return voice_session_create
