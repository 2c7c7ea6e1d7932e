"""Open-Meteo hourly answers -> readings by UTC hour (pure: decoded JSON in, readings out).

The answer (forecast and archive alike) holds parallel arrays: ``hourly.time``
("2024-08-17T15:00") and one array per variable asked for, with ``hourly_units`` naming
each one's unit. We ask with ``timezone=UTC``; an answer whose ``utc_offset_seconds`` is
not 0 is refused rather than read an hour off.

Refused, with a ``RecordError`` naming the JSON path: a missing variable or unit, arrays
of unequal length, a time that is not an hour, a unit we cannot convert, a value out of
range. Units are converted to °C, mm and km/h (°F, inch, m/s, mph and kn are what
Open-Meteo offers besides). A ``null`` value (no data for that hour yet) is kept as None.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from ingestion.providers.open_meteo.client import HOURLY
from ingestion.providers.reading import PayloadReader, shown
from matches.weather import Reading

# Variable -> {unit as Open-Meteo spells it (folded): conversion to ours}.
UNITS: dict[str, dict[str, Callable[[float], float]]] = {
    "temperature_2m": {"°c": lambda v: v, "°f": lambda v: (v - 32) * 5 / 9},
    "precipitation": {"mm": lambda v: v, "inch": lambda v: v * 25.4},
    "wind_speed_10m": {"km/h": lambda v: v, "m/s": lambda v: v * 3.6, "mph": lambda v: v * 1.609344,
                       "kn": lambda v: v * 1.852},
    "weather_code": {"wmo code": lambda v: v},
}
# What the Earth's weather stays within (after conversion); beyond is a broken answer.
RANGES = {"temperature_2m": (-60.0, 60.0), "precipitation": (0.0, 300.0), "wind_speed_10m": (0.0, 400.0),
          "weather_code": (0, 99)}


def parse_hourly(payload, origin: str) -> dict[dt.datetime, Reading]:
    """Every hour of the answer as a Reading, keyed by its aware UTC time."""
    reader = PayloadReader(origin)
    answer = reader.mapping("", payload)
    if answer.get("error") is True:
        reader.fail("reason", f"Open-Meteo refused the request: {answer.get('reason') or 'no reason given'}")
    offset = answer.get("utc_offset_seconds", 0)
    if offset not in (0, None):
        reader.fail("utc_offset_seconds", f"asked for UTC, the answer is offset by {shown(offset)} seconds")
    hourly = reader.mapping("hourly", answer.get("hourly"))
    units = reader.mapping("hourly_units", answer.get("hourly_units"))
    times = _array(reader, "hourly.time", hourly.get("time"))
    hours = [_hour(reader, f"hourly.time[{i}]", value) for i, value in enumerate(times)]
    columns = {}
    for variable in HOURLY:
        values = _array(reader, f"hourly.{variable}", hourly.get(variable))
        if len(values) != len(hours):
            reader.fail(f"hourly.{variable}", f"{len(values)} values for {len(hours)} times in hourly.time")
        unit = units.get(variable)
        convert = UNITS[variable].get(unit.strip().casefold()) if isinstance(unit, str) else None
        if convert is None:
            reader.fail(f"hourly_units.{variable}", f"unit {shown(unit)} is not one we read "
                                                    f"({', '.join(UNITS[variable])})")
        columns[variable] = [_value(reader, f"hourly.{variable}[{i}]", variable, value, convert)
                             for i, value in enumerate(values)]
    return {
        hour: Reading(hour, columns["temperature_2m"][i], columns["precipitation"][i], columns["wind_speed_10m"][i],
                      None if columns["weather_code"][i] is None else int(columns["weather_code"][i]))
        for i, hour in enumerate(hours)
    }


def _array(reader: PayloadReader, where: str, value) -> list:
    if value is None:
        reader.fail(where, "missing")
    if not isinstance(value, list):
        reader.fail(where, f"must be an array, not {shown(value)}")
    return value


def _hour(reader: PayloadReader, where: str, value) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        reader.fail(where, f"must be an ISO time such as 2024-08-17T15:00, not {shown(value)}")
    if moment.tzinfo is not None and moment.utcoffset() != dt.timedelta(0):
        reader.fail(where, f"must be UTC, not {shown(value)}")
    if (moment.minute, moment.second, moment.microsecond) != (0, 0, 0):
        reader.fail(where, f"must be on the hour, not {shown(value)}")
    return moment.replace(tzinfo=dt.UTC)


def _value(reader: PayloadReader, where: str, variable: str, value, convert) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        reader.fail(where, f"must be a number or null, not {shown(value)}")
    low, high = RANGES[variable]
    if variable == "weather_code" and value != int(value):
        reader.fail(where, f"must be a whole WMO code, not {shown(value)}")
    converted = convert(value)
    if not low <= converted <= high:
        reader.fail(where, f"{shown(value)} is out of range ({low} to {high} after conversion)")
    return round(converted, 2)
