"""A missing service fails the tier under CI=true, and only skips (loudly) elsewhere."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def service_missing(what: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"required service missing under CI=true: {what}", pytrace=False)
    pytest.skip(f"service missing (would fail under CI=true): {what}")
