"""How long the client's interaction history is kept (G3).

The order keeps the client's messages with the materials of their handling for five years;
a consultation-line call is such a message. Five years is the least a deployer may set.

A term counted in years ends on the same month and day of its last year, and on 28 February
when that year has no 29 February (Civil Code art. 191–192, as for the operators' training,
C4). A record of local day ``D`` is therefore kept through ``D + years`` and may go from the
day after. On local day ``today`` everything of a day before :func:`keep_from` may go; the
records of that day and later stay.
"""

from datetime import date, datetime, time, tzinfo

from models.rules.calendar import require_aware

RETENTION_MIN_YEARS = 5


def keep_from(today: date, years: int) -> date:
    """The first local day whose records are still kept on ``today``.

    ``today`` minus ``years``; on 29 February of a leap year, when the earlier year has no
    29 February, 1 March: a record of 28 February has by then had its full term.
    """
    if years < 1:
        raise ValueError(f"a term of at least one year, got {years}")
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February, the earlier year is a common year
        return date(today.year - years, 3, 1)


def retention_cutoff(now: datetime, tz: tzinfo, years: int) -> datetime:
    """The instant before which records may be removed: local midnight of :func:`keep_from`
    for the local day of ``now``."""
    require_aware(now, "now")
    first_kept = keep_from(now.astimezone(tz).date(), years)
    return datetime.combine(first_kept, time(0), tz)
