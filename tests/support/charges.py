"""The charge rule as the tests state it, once for every tier that checks a bill."""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any


def expected_charge(session: dict[str, Any], credits_per_minute: int) -> int:
    """Each started minute fraction is paid, `ceil(seconds × price ÷ 60)`, written
    here in exact rational arithmetic from the decimal duration the API shows (at the
    tests' 6 a minute: one credit per started 10 s, so 10.0 s is 1 and 10.001 s is 2),
    not with the production rule's float rounding."""
    seconds = Fraction(str(session["duration_seconds"]))
    return math.ceil(seconds * credits_per_minute / 60)
