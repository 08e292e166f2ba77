"""Time: working calendars, business-hour arithmetic and timestamp formats.

Every timestamp inside the generator is an int64 count of UTC seconds. People
work in their own time zone and schedule, so durations such as "review took
three working hours" are drawn in *business hours* and converted to UTC with
a `Clock`. That one trick gives the weekly rhythm (quiet weekends), local
working hours and public holidays to every tool without per-record logic.

A calendar is (time zone, schedule); its working hours are precomputed as a
sorted array of the UTC instants at which each working hour starts, so both
directions of the conversion are a `searchsorted` over numpy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

TIMEZONES: tuple[str, ...] = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
)
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True)
class Schedule:
    days: tuple[int, ...]  # weekday numbers, Monday = 0
    start_hour: int
    end_hour: int

    @property
    def work_days(self) -> list[str]:
        return [DAY_NAMES[d] for d in self.days]

    @property
    def work_start(self) -> str:
        return f"{self.start_hour:02d}:00"

    @property
    def work_end(self) -> str:
        return f"{self.end_hour:02d}:00"


# Index 0 is the default; the roster assigns most people to it.
SCHEDULES: tuple[Schedule, ...] = (
    Schedule((0, 1, 2, 3, 4), 9, 17),
    Schedule((0, 1, 2, 3, 4), 8, 16),
    Schedule((0, 1, 2, 3), 9, 17),  # four-day week
)

EPOCH = date(1970, 1, 1)
HOUR = 3600
DAY = 86400
NA = np.iinfo(np.int64).min  # "no timestamp" marker in int64 arrays


def day_to_epoch(d: date) -> int:
    return (d - EPOCH).days * DAY


def _fourth_thursday_of_november(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(3 - first.weekday()) % 7 + 21)


def holidays(tz: str, year: int) -> set[date]:
    """Public holidays observed in a time zone's country (a plausible subset)."""
    days = {date(year, 1, 1), date(year, 12, 24), date(year, 12, 25), date(year, 12, 26)}
    extra: dict[str, list[date]] = {
        "Europe/Berlin": [date(year, 5, 1), date(year, 10, 3)],
        "Europe/London": [date(year, 8, 31) - timedelta(days=date(year, 8, 31).weekday())],
        "America/New_York": [date(year, 7, 4), _fourth_thursday_of_november(year)],
        "America/Los_Angeles": [date(year, 7, 4), _fourth_thursday_of_november(year)],
        "Asia/Kolkata": [date(year, 1, 26), date(year, 8, 15), date(year, 10, 2)],
        "Australia/Sydney": [date(year, 1, 26), date(year, 4, 25)],
    }
    days.update(extra.get(tz, []))
    return days


class Clock:
    """Working calendars for every (time zone, schedule) pair over a date range.

    cal index = tz_index * len(SCHEDULES) + schedule_index.
    """

    def __init__(self, first_day: date, last_day: date) -> None:
        self.first_day = first_day
        self.t0 = day_to_epoch(first_day)
        self.t1 = day_to_epoch(last_day)
        n_hours = (self.t1 - self.t0) // HOUR + 1
        hour_starts = self.t0 + np.arange(n_hours, dtype=np.int64) * HOUR

        # UTC offset of each time zone at every UTC hour of the range, for
        # formatting local timestamps (DST-correct to the hour).
        self.offsets = np.zeros((len(TIMEZONES), n_hours), dtype=np.int64)
        for z, name in enumerate(TIMEZONES):
            zone = ZoneInfo(name)
            # Offsets only change a few times a year: evaluate once a day and
            # refine the days on which it changed hour by hour.
            daily = [
                int(datetime.fromtimestamp(int(t), zone).utcoffset().total_seconds())
                for t in hour_starts[::24]
            ]
            row = np.repeat(np.array(daily, dtype=np.int64), 24)[:n_hours]
            for i in range(1, len(daily)):
                if daily[i] != daily[i - 1]:
                    for h in range((i - 1) * 24, min(i * 24 + 1, n_hours)):
                        row[h] = int(
                            datetime.fromtimestamp(int(hour_starts[h]), zone)
                            .utcoffset()
                            .total_seconds()
                        )
            self.offsets[z] = row

        # Working-hour start instants, concatenated per calendar.
        segments: list[np.ndarray] = []
        n_days = (last_day - first_day).days + 1
        for name in TIMEZONES:
            zone = ZoneInfo(name)
            hol = set()
            for y in range(first_day.year, last_day.year + 1):
                hol |= holidays(name, y)
            for sched in SCHEDULES:
                starts: list[int] = []
                for i in range(n_days):
                    d = first_day + timedelta(days=i)
                    if d.weekday() not in sched.days or d in hol:
                        continue
                    noon = datetime(d.year, d.month, d.day, 12, tzinfo=zone)
                    off = int(noon.utcoffset().total_seconds())
                    base = day_to_epoch(d) - off
                    starts.extend(base + h * HOUR for h in range(sched.start_hour, sched.end_hour))
                segments.append(np.array(starts, dtype=np.int64))
        self.n_cals = len(segments)
        self.seg_len = np.array([len(s) for s in segments], dtype=np.int64)
        self.seg_off = np.concatenate([[0], np.cumsum(self.seg_len)[:-1]]).astype(np.int64)
        self.hours = np.concatenate(segments)
        # Keys that are globally sorted (calendar-major), so one searchsorted
        # serves a mixed array of calendars.
        self._span = np.int64(1) << np.int64(40)
        cal_of = np.repeat(np.arange(self.n_cals, dtype=np.int64), self.seg_len)
        self._keys = cal_of * self._span + (self.hours - self.t0)

    # -- business time ---------------------------------------------------
    def to_biz(self, cal: np.ndarray, utc: np.ndarray) -> np.ndarray:
        """Business hours elapsed since the calendar's first working hour.

        An instant outside working hours maps to the start of the next
        working hour, which is what "snap to the next working moment" needs.
        """
        cal = np.asarray(cal, dtype=np.int64)
        utc = np.asarray(utc, dtype=np.int64)
        key = cal * self._span + (utc - self.t0)
        pos = np.searchsorted(self._keys, key, side="right") - 1
        k = pos - self.seg_off[cal]
        valid = k >= 0
        kk = np.where(valid, k, 0)
        start = self.hours[self.seg_off[cal] + kk]
        inside = valid & (utc < start + HOUR)
        return np.where(inside, kk + (utc - start) / HOUR, np.where(valid, kk + 1.0, 0.0))

    def from_biz(self, cal: np.ndarray, biz: np.ndarray) -> np.ndarray:
        """UTC instant of a business-hour position (beyond the range: calendar hours)."""
        cal = np.asarray(cal, dtype=np.int64)
        biz = np.asarray(biz, dtype=np.float64)
        n = self.seg_len[cal]
        k = np.floor(biz).astype(np.int64)
        kk = np.clip(k, 0, n - 1)
        frac = biz - kk  # >= 1 only past the end of the range
        return self.hours[self.seg_off[cal] + kk] + np.round(frac * HOUR).astype(np.int64)

    def add_biz(self, cal: np.ndarray, utc: np.ndarray, hours: np.ndarray) -> np.ndarray:
        """utc + `hours` business hours of the calendar (snapping utc forward first)."""
        return self.from_biz(cal, self.to_biz(cal, utc) + hours)

    def snap(self, cal: np.ndarray, utc: np.ndarray) -> np.ndarray:
        """Move instants outside working hours to the next working moment."""
        return self.from_biz(cal, self.to_biz(cal, utc))

    def random_in(
        self, rng: np.random.Generator, cal: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> np.ndarray:
        """A uniformly random working instant of each calendar in [lo, hi)."""
        a = self.to_biz(cal, lo)
        b = self.to_biz(cal, hi)
        u = rng.random(len(a))
        return self.from_biz(cal, a + u * np.maximum(b - a, 0.0))

    # -- time zones ------------------------------------------------------
    def offset(self, tz: np.ndarray, utc: np.ndarray) -> np.ndarray:
        """UTC offset in seconds of each time zone at each instant."""
        idx = np.clip((np.asarray(utc) - self.t0) // HOUR, 0, self.offsets.shape[1] - 1)
        return self.offsets[np.asarray(tz), idx]


# -- formats --------------------------------------------------------------
def _as_text(secs: np.ndarray, unit: str) -> np.ndarray:
    dt = np.asarray(secs, dtype=np.int64)
    if unit == "ms":
        # Millis are derived from the second itself, so they look random but
        # need no RNG draw and stay identical across re-serialisations.
        ms = (dt * 7919 + 13) % 1000
        return np.datetime_as_string((dt * 1000 + ms).astype("datetime64[ms]"), unit="ms")
    return np.datetime_as_string(dt.astype("datetime64[s]"), unit="s")


def _with_nulls(secs: np.ndarray, text: list[str]) -> list[str | None]:
    missing = np.asarray(secs) == NA
    if not missing.any():
        return text
    return [None if m else t for m, t in zip(missing.tolist(), text, strict=True)]


def iso_z(secs: np.ndarray) -> list[str | None]:
    """GitHub/PagerDuty/Zendesk/SCIM: 2026-05-04T09:12:33Z."""
    secs = np.asarray(secs, dtype=np.int64)
    safe = np.where(secs == NA, 0, secs)
    return _with_nulls(secs, np.strings.add(_as_text(safe, "s"), "Z").tolist())


def iso_ms_z(secs: np.ndarray) -> list[str | None]:
    """HubSpot v3 and Google Calendar created/updated: 2026-05-04T09:12:33.123Z."""
    secs = np.asarray(secs, dtype=np.int64)
    safe = np.where(secs == NA, 0, secs)
    return _with_nulls(secs, np.strings.add(_as_text(safe, "ms"), "Z").tolist())


def epoch_ms(secs: np.ndarray) -> list[int | None]:
    """HubSpot v1 engagements: integer epoch milliseconds."""
    secs = np.asarray(secs, dtype=np.int64)
    ms = secs * 1000 + (secs * 7919 + 13) % 1000
    out = ms.tolist()
    if (secs == NA).any():
        return [None if s == NA else v for s, v in zip(secs.tolist(), out, strict=True)]
    return out


def _offset_text(off: np.ndarray, colon: bool) -> list[str]:
    cache: dict[int, str] = {}
    out = []
    for o in off.tolist():
        s = cache.get(o)
        if s is None:
            sign = "+" if o >= 0 else "-"
            h, m = divmod(abs(o) // 60, 60)
            s = f"{sign}{h:02d}:{m:02d}" if colon else f"{sign}{h:02d}{m:02d}"
            cache[o] = s
        out.append(s)
    return out


def jira_ts(clock: Clock, secs: np.ndarray, tz: np.ndarray) -> list[str | None]:
    """Jira: local time with millis and a colon-less offset, 2026-05-04T11:12:33.000+0200."""
    secs = np.asarray(secs, dtype=np.int64)
    safe = np.where(secs == NA, clock.t0, secs)
    off = clock.offset(tz, safe)
    local = np.datetime_as_string((safe + off).astype("datetime64[s]"), unit="s").tolist()
    text = [f"{a}.000{b}" for a, b in zip(local, _offset_text(off, colon=False), strict=True)]
    return _with_nulls(secs, text)


def local_iso(clock: Clock, secs: np.ndarray, tz: np.ndarray) -> list[str]:
    """Google Calendar dateTime: organizer local time with offset, 2026-05-04T11:00:00+02:00."""
    secs = np.asarray(secs, dtype=np.int64)
    off = clock.offset(tz, secs)
    local = np.datetime_as_string((secs + off).astype("datetime64[s]"), unit="s").tolist()
    return [f"{a}{b}" for a, b in zip(local, _offset_text(off, colon=True), strict=True)]


def local_date(clock: Clock, secs: np.ndarray, tz: np.ndarray) -> list[str]:
    """YYYY-MM-DD of each instant in a time zone."""
    secs = np.asarray(secs, dtype=np.int64)
    off = clock.offset(tz, secs)
    return np.datetime_as_string((secs + off).astype("datetime64[s]"), unit="D").tolist()


def iso_date(secs: np.ndarray) -> list[str]:
    return np.datetime_as_string(
        np.asarray(secs, dtype=np.int64).astype("datetime64[s]"), unit="D"
    ).tolist()


def lognormal_hours(
    rng: np.random.Generator, median: float | np.ndarray, sigma: float, n: int
) -> np.ndarray:
    """Skewed durations: log-normal with the given median (hours)."""
    return np.exp(np.log(median) + sigma * rng.standard_normal(n))
