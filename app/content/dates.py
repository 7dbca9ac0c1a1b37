"""Hugo's date forms, parsed to naive UTC datetimes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The layouts spf13/cast accepts that bloggers actually write, tried in order.
_LAYOUTS = (
    "%Y-%m-%dT%H:%M:%S%z",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S%z",
    "%Y-%m-%d %H:%M:%S.%f%z",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
    "%d %b %Y",
    "%d %B %Y",
    "%d %b %y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%a, %d %b %Y %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S %z",
    "%Y-%m-%d %H:%M:%S %Z",
)
_ZULU = re.compile(r"[zZ]$")
_COLON_OFFSET = re.compile(r"([+-]\d\d):(\d\d)$")


class DateError(ValueError):
    """A value that is not one of Hugo's date forms."""


def zone(name: str) -> timezone | ZoneInfo:
    """The time zone for a `timeZone` setting; UTC when empty."""
    if not name or name.upper() == "UTC":
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DateError(f"unknown time zone {name!r}") from exc


def to_utc(value: datetime, default_zone: timezone | ZoneInfo = UTC) -> datetime:
    """A naive UTC datetime; zone-less values are read in the site's zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_zone)
    try:
        return value.astimezone(UTC).replace(tzinfo=None)
    except (OverflowError, ValueError):
        raise DateError(f"date {value.isoformat()} is outside the years 1 to 9999 "
                        "once converted to UTC") from None


def parse_date(value: object, default_zone: timezone | ZoneInfo = UTC) -> datetime | None:
    """Parse a front matter date value (string, date or datetime); None for empty."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return to_utc(value, default_zone)
    if isinstance(value, date):
        return to_utc(datetime.combine(value, time()), default_zone)
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise DateError(f"expected a date, got {type(value).__name__} {value!r}")
    text = str(value).strip()
    if isinstance(value, int):
        # Hugo (via cast) reads a bare number as a Unix timestamp.
        try:
            return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
        except (OverflowError, ValueError, OSError):
            raise DateError(f"Unix timestamp {value} is outside the years 1 to 9999") from None
    text = _ZULU.sub("+0000", text)
    text = _COLON_OFFSET.sub(r"\1\2", text)
    for layout in _LAYOUTS:
        try:
            parsed = datetime.strptime(text, layout)
        except ValueError:
            continue
        return to_utc(parsed, default_zone)
    raise DateError(
        f"invalid date {value!r}: use a form such as 2023-08-03, 2023-08-03T10:00:00 "
        "or 2023-08-03T10:00:00+02:00"
    )
