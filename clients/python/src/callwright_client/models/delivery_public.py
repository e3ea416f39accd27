from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.delivery_status import DeliveryStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.attempt_public import AttemptPublic


T = TypeVar("T", bound="DeliveryPublic")


@_attrs_define
class DeliveryPublic:
    """
    Attributes:
        id (str):
        endpoint_id (str):
        message_id (str):
        event_type (str):
        session_id (None | str):
        status (DeliveryStatus):
        next_attempt_at (datetime.datetime | None):
        last_status_code (int | None):
        last_error (None | str):
        created_at (datetime.datetime):
        completed_at (datetime.datetime | None):
        attempts (list[AttemptPublic]):
        object_ (Literal['webhook_delivery'] | Unset):  Default: 'webhook_delivery'.
    """

    id: str
    endpoint_id: str
    message_id: str
    event_type: str
    session_id: str | None
    status: DeliveryStatus
    next_attempt_at: datetime.datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime.datetime
    completed_at: datetime.datetime | None
    attempts: list[AttemptPublic]
    object_: Literal["webhook_delivery"] | Unset = "webhook_delivery"
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        endpoint_id = self.endpoint_id

        message_id = self.message_id

        event_type = self.event_type

        session_id: str | None
        session_id = self.session_id

        status = self.status.value

        next_attempt_at: str | None
        if isinstance(self.next_attempt_at, datetime.datetime):
            next_attempt_at = self.next_attempt_at.isoformat()
        else:
            next_attempt_at = self.next_attempt_at

        last_status_code: int | None
        last_status_code = self.last_status_code

        last_error: str | None
        last_error = self.last_error

        created_at = self.created_at.isoformat()

        completed_at: str | None
        if isinstance(self.completed_at, datetime.datetime):
            completed_at = self.completed_at.isoformat()
        else:
            completed_at = self.completed_at

        attempts = []
        for attempts_item_data in self.attempts:
            attempts_item = attempts_item_data.to_dict()
            attempts.append(attempts_item)

        object_ = self.object_

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "endpoint_id": endpoint_id,
                "message_id": message_id,
                "event_type": event_type,
                "session_id": session_id,
                "status": status,
                "next_attempt_at": next_attempt_at,
                "last_status_code": last_status_code,
                "last_error": last_error,
                "created_at": created_at,
                "completed_at": completed_at,
                "attempts": attempts,
            }
        )
        if object_ is not UNSET:
            field_dict["object"] = object_

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.attempt_public import AttemptPublic

        d = dict(src_dict)
        id = d.pop("id")

        endpoint_id = d.pop("endpoint_id")

        message_id = d.pop("message_id")

        event_type = d.pop("event_type")

        def _parse_session_id(data: object) -> str | None:
            if data is None:
                return data
            return cast(None | str, data)

        session_id = _parse_session_id(d.pop("session_id"))

        status = DeliveryStatus(d.pop("status"))

        def _parse_next_attempt_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                next_attempt_at_type_0 = datetime.datetime.fromisoformat(data)

                return next_attempt_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        next_attempt_at = _parse_next_attempt_at(d.pop("next_attempt_at"))

        def _parse_last_status_code(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        last_status_code = _parse_last_status_code(d.pop("last_status_code"))

        def _parse_last_error(data: object) -> str | None:
            if data is None:
                return data
            return cast(None | str, data)

        last_error = _parse_last_error(d.pop("last_error"))

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_completed_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                completed_at_type_0 = datetime.datetime.fromisoformat(data)

                return completed_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        completed_at = _parse_completed_at(d.pop("completed_at"))

        attempts = []
        _attempts = d.pop("attempts")
        for attempts_item_data in _attempts:
            attempts_item = AttemptPublic.from_dict(attempts_item_data)

            attempts.append(attempts_item)

        object_ = cast(Literal["webhook_delivery"] | Unset, d.pop("object", UNSET))
        if object_ != "webhook_delivery" and not isinstance(object_, Unset):
            raise ValueError(f"object must match const 'webhook_delivery', got '{object_}'")

        delivery_public = cls(
            id=id,
            endpoint_id=endpoint_id,
            message_id=message_id,
            event_type=event_type,
            session_id=session_id,
            status=status,
            next_attempt_at=next_attempt_at,
            last_status_code=last_status_code,
            last_error=last_error,
            created_at=created_at,
            completed_at=completed_at,
            attempts=attempts,
            object_=object_,
        )

        delivery_public.additional_properties = d
        return delivery_public

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
