from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.chat_message import ChatMessage
    from ..models.message_usage import MessageUsage


T = TypeVar("T", bound="MessageReply")


@_attrs_define
class MessageReply:
    """Send Message's answer; with `Accept: text/event-stream` it is the data of the last
    server-sent event, `message.completed`, after `message.delta` events.

        Attributes:
            message (ChatMessage):
            usage (MessageUsage):
    """

    message: ChatMessage
    usage: MessageUsage
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        message = self.message.to_dict()

        usage = self.usage.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "message": message,
                "usage": usage,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.chat_message import ChatMessage
        from ..models.message_usage import MessageUsage

        d = dict(src_dict)
        message = ChatMessage.from_dict(d.pop("message"))

        usage = MessageUsage.from_dict(d.pop("usage"))

        message_reply = cls(
            message=message,
            usage=usage,
        )

        message_reply.additional_properties = d
        return message_reply

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
