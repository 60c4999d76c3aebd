"""Opening hours: keep one instance running while the booth is open, so no attendee waits for a wake-up.

`--open-hours 09:00-18:00 --timezone Europe/Paris` becomes two scheduled actions on the endpoint's
scalable target: the floor rises to 1 a little before opening (an instance takes minutes to start)
and drops back to the deploy's `--min-instances` at closing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
#: How long before opening the instance is asked for: the wake-up time (cloud_setup.stack.WAKE_UP_S) and a margin.
LEAD_MINUTES = 15


@dataclass(frozen=True)
class OpenHours:
    """Daily opening and closing time (minutes after midnight) in an IANA time zone."""

    opens: int
    closes: int
    timezone: str

    @classmethod
    def parse(cls, hours: str, timezone: str) -> OpenHours:
        match = _HOURS.match(hours.strip())
        if not match:
            raise ValueError(f"opening hours must look like 09:00-18:00, not {hours!r}")
        h1, m1, h2, m2 = map(int, match.groups())
        if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
            raise ValueError(f"opening hours {hours!r} are not times of day")
        opens, closes = h1 * 60 + m1, h2 * 60 + m2
        if closes <= opens:
            raise ValueError(f"opening hours {hours!r} must close after they open, on the same day")
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris"
            ) from None
        if timezone not in available_timezones() and timezone != "UTC":
            raise ValueError(f"unknown time zone {timezone!r}; use an IANA name such as Europe/Paris")
        return cls(opens, closes, timezone)

    @property
    def wake_at(self) -> int:
        """Minutes after midnight when the floor rises (LEAD_MINUTES before opening, not before midnight)."""
        return max(0, self.opens - LEAD_MINUTES)

    def describe(self) -> str:
        return f"{_clock(self.opens)}-{_clock(self.closes)} {self.timezone}"

    def is_open(self, when: datetime) -> bool:
        """True when `when` (any aware datetime) falls inside the hours in their own time zone."""
        local = when.astimezone(ZoneInfo(self.timezone))
        minute = local.hour * 60 + local.minute
        return self.wake_at <= minute < self.closes


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def cron(minutes: int) -> str:
    """Application Auto Scaling's cron (minute hour day month weekday year), every day."""
    return f"cron({minutes % 60} {minutes // 60} * * ? *)"


def scheduled_actions(hours: OpenHours, min_instances: int, max_instances: int) -> list[dict]:
    """The two ScheduledActions of AWS::ApplicationAutoScaling::ScalableTarget."""
    open_floor = max(1, min_instances)
    return [
        {
            "ScheduledActionName": "open",
            "Schedule": cron(hours.wake_at),
            "Timezone": hours.timezone,
            "ScalableTargetAction": {"MinCapacity": open_floor, "MaxCapacity": max_instances},
        },
        {
            "ScheduledActionName": "close",
            "Schedule": cron(hours.closes),
            "Timezone": hours.timezone,
            "ScalableTargetAction": {"MinCapacity": min_instances, "MaxCapacity": max_instances},
        },
    ]


__all__ = ["LEAD_MINUTES", "OpenHours", "cron", "scheduled_actions"]
