"""The clock zone of this host, as a ``tzinfo``: what Asterisk writes its CDR in by default.

``cdr_csv`` with ``usegmtime = no`` (Asterisk's default) writes wall-clock times of the
Asterisk host's zone, whatever the line's business zone is. The host's zone is the C
library's (``TZ`` or ``/etc/localtime``); this class asks it for each moment, so daylight
saving rules apply as the host applies them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, tzinfo


class HostLocalZone(tzinfo):
    """The zone of this process's clock (``TZ`` or ``/etc/localtime``)."""

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return timedelta(seconds=-time.timezone)
        return timedelta(seconds=self._local(dt).tm_gmtoff)

    def dst(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return timedelta(0)
        local = self._local(dt)
        if local.tm_isdst > 0:
            return timedelta(seconds=local.tm_gmtoff + time.timezone)
        return timedelta(0)

    def tzname(self, dt: datetime | None) -> str:
        if dt is None:
            return time.tzname[0]
        return self._local(dt).tm_zone

    def fromutc(self, dt: datetime) -> datetime:
        stamp = dt.replace(tzinfo=UTC).timestamp()
        local = time.localtime(stamp)
        return dt + timedelta(seconds=local.tm_gmtoff)

    @staticmethod
    def _local(dt: datetime) -> time.struct_time:
        # A wall-clock time of this zone: mktime resolves it the way the host's libc does.
        naive = dt.replace(tzinfo=None)
        stamp = time.mktime((*naive.timetuple()[:8], -1))
        return time.localtime(stamp)

    def __repr__(self) -> str:
        return "HostLocalZone()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, HostLocalZone)

    def __hash__(self) -> int:
        return hash(HostLocalZone)


HOST_LOCAL = HostLocalZone()
