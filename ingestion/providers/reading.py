"""Typed reads from a decoded JSON payload that fail naming the origin and the JSON path.

A provider's mapper subclasses ``PayloadReader`` and reads every value through it, so bad
input is a ``RecordError`` such as "…/matches?ids=1, matches[3].utcDate: must be text, not 3".
"""

from __future__ import annotations

from collections.abc import Mapping

from matches.records import Origin, RecordError


class PayloadReader:
    def __init__(self, origin: str):
        self.origin = origin

    def fail(self, where: str, message: str):
        raise RecordError(Origin(self.origin, record=where), message)

    def mapping(self, where: str, value) -> Mapping:
        if not isinstance(value, Mapping):
            self.fail(where, f"must be an object, not {shown(value)}")
        return value

    def integer(self, where: str, value, *, required: bool = True) -> int | None:
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(where, f"must be a whole number, not {shown(value)}")
        return value

    def count(self, where: str, value, *, required: bool = True) -> int | None:
        number = self.integer(where, value, required=required)
        if number is not None and number < 0:
            self.fail(where, f"must not be negative ({number})")
        return number

    def text(self, where: str, value) -> str:
        if value is None:
            return ""
        if not isinstance(value, str):
            self.fail(where, f"must be text, not {shown(value)}")
        return value.strip()

    def flag(self, where: str, value) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fail(where, f"must be true or false, not {shown(value)}")
        return value


def shown(value) -> str:
    """A value as an error message quotes it: its repr, cut to 60 characters."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
