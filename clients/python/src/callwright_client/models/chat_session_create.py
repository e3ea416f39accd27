from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.chat_session_create_metadata_type_0 import ChatSessionCreateMetadataType0
    from ..models.chat_session_create_overrides_type_0 import ChatSessionCreateOverridesType0
    from ..models.chat_session_create_variables_type_0 import ChatSessionCreateVariablesType0


T = TypeVar("T", bound="ChatSessionCreate")


@_attrs_define
class ChatSessionCreate:
    """
    Attributes:
        agent_id (str):
        metadata (ChatSessionCreateMetadataType0 | None | Unset):
        variables (ChatSessionCreateVariablesType0 | None | Unset):
        overrides (ChatSessionCreateOverridesType0 | None | Unset):
    """

    agent_id: str
    metadata: ChatSessionCreateMetadataType0 | Unset | None = UNSET
    variables: ChatSessionCreateVariablesType0 | Unset | None = UNSET
    overrides: ChatSessionCreateOverridesType0 | Unset | None = UNSET

    def to_dict(self) -> dict[str, Any]:
        from ..models.chat_session_create_metadata_type_0 import ChatSessionCreateMetadataType0
        from ..models.chat_session_create_overrides_type_0 import ChatSessionCreateOverridesType0
        from ..models.chat_session_create_variables_type_0 import ChatSessionCreateVariablesType0

        agent_id = self.agent_id

        metadata: dict[str, Any] | Unset | None
        if isinstance(self.metadata, Unset):
            metadata = UNSET
        elif isinstance(self.metadata, ChatSessionCreateMetadataType0):
            metadata = self.metadata.to_dict()
        else:
            metadata = self.metadata

        variables: dict[str, Any] | Unset | None
        if isinstance(self.variables, Unset):
            variables = UNSET
        elif isinstance(self.variables, ChatSessionCreateVariablesType0):
            variables = self.variables.to_dict()
        else:
            variables = self.variables

        overrides: dict[str, Any] | Unset | None
        if isinstance(self.overrides, Unset):
            overrides = UNSET
        elif isinstance(self.overrides, ChatSessionCreateOverridesType0):
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
        from ..models.chat_session_create_metadata_type_0 import ChatSessionCreateMetadataType0
        from ..models.chat_session_create_overrides_type_0 import ChatSessionCreateOverridesType0
        from ..models.chat_session_create_variables_type_0 import ChatSessionCreateVariablesType0

        d = dict(src_dict)
        agent_id = d.pop("agent_id")

        def _parse_metadata(data: object) -> ChatSessionCreateMetadataType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                metadata_type_0 = ChatSessionCreateMetadataType0.from_dict(data)

                return metadata_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatSessionCreateMetadataType0 | None | Unset, data)

        metadata = _parse_metadata(d.pop("metadata", UNSET))

        def _parse_variables(data: object) -> ChatSessionCreateVariablesType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                variables_type_0 = ChatSessionCreateVariablesType0.from_dict(data)

                return variables_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatSessionCreateVariablesType0 | None | Unset, data)

        variables = _parse_variables(d.pop("variables", UNSET))

        def _parse_overrides(data: object) -> ChatSessionCreateOverridesType0 | Unset | None:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                overrides_type_0 = ChatSessionCreateOverridesType0.from_dict(data)

                return overrides_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(ChatSessionCreateOverridesType0 | None | Unset, data)

        overrides = _parse_overrides(d.pop("overrides", UNSET))

        chat_session_create = cls(
            agent_id=agent_id,
            metadata=metadata,
            variables=variables,
            overrides=overrides,
        )

        return chat_session_create
