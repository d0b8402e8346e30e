"""The reconciliation sources: the CDR's zone checked against its Uniqueids, a CDR without
Uniqueids refused with the line to change, and what /health reads of both files (C13)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ami.cdr import CAPTURES_DIALPLAN, parse_cdr
from ami.log_sources import (
    TAIL_BYTES,
    ZONE_SAMPLE,
    SourceState,
    assess_cdr,
    clock_skew,
    inspect_cdr,
    inspect_queue_log,
    read_tail,
)
from ami.reconcile import reconcile_files
from models.calendar_store import set_override
from models.call_log_store import CallLogStore
from models.db import session_scope
from models.host_time import host_zone
from models.rules.missed import CallOutcome, MissedReason
from models.settings import Settings
from models.tables import Call
from tests.asterisk_captures import Kind, capture_lines, capture_names

MOSCOW = ZoneInfo("Europe/Moscow")
IVR_HANGUP = "f-agi-caller-hangup"  # hung up in the IVR: only the CDR knows the call
IVR_HANGUP_ID = "1795867248.0"


def shifted(name: str, hours: int) -> list[str]:
    """A recording's CDR as a host ``hours`` east of UTC writes it with usegmtime = no."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for fields in csv.reader(capture_lines(name, Kind.CDR)):
        for index in (9, 10, 11):  # start, answer, end
            if fields[index]:
                moment = datetime.strptime(fields[index], "%Y-%m-%d %H:%M:%S")  # noqa: DTZ007
                fields[index] = (moment + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow(fields)
    return out.getvalue().splitlines(keepends=True)


def zoneinfo_file(name: str) -> Path:
    """A compiled zone file, as /etc/localtime is on a machine set to ``name``."""
    return Path(str(files("tzdata").joinpath("zoneinfo", *name.split("/"))))


@pytest.mark.parametrize("name", capture_names(Kind.CDR))
def test_the_recordings_read_in_utc_agree_with_their_uniqueids(name: str) -> None:
    # The recording host's clock was UTC: a channel's first row starts when the channel was
    # created (a leg's first row may wait for its answer: seconds, never a quarter hour).
    rows = parse_cdr(capture_lines(name, Kind.CDR), tz=UTC).rows
    skew = clock_skew(rows)
    assert skew is not None
    assert abs(skew) <= timedelta(seconds=10)


def test_a_cdr_read_three_hours_off_is_refused_with_the_zone_it_was_written_in() -> None:
    lines = shifted("b-abandoned", 3)
    verdict = assess_cdr(parse_cdr(lines, tz=UTC), UTC, "UTC")
    assert not verdict.usable
    assert "UTC+03:00" in verdict.problem
    assert "UTC+00:00" in verdict.problem
    assert "CONSULT_LINE_CDR_TIMEZONE" in verdict.problem
    assert "usegmtime = yes" in verdict.problem
    # read in the zone it was written in, it is accepted
    assert assess_cdr(parse_cdr(lines, tz=MOSCOW), MOSCOW, "Europe/Moscow").usable


def test_local_is_the_zone_of_the_machines_localtime_file(tmp_path: Path) -> None:
    # Asterisk on Linux takes its zone from /etc/localtime and ignores TZ: so does "local".
    moscow = host_zone(zoneinfo_file("Europe/Moscow"))
    assert moscow.utcoffset(datetime(2026, 11, 28, 12)) == timedelta(hours=3)  # noqa: DTZ001
    assert host_zone(tmp_path / "no-localtime") is UTC
    # usegmtime = no on a Moscow machine: read in its zone, the CDR agrees with its Uniqueids
    parsed = parse_cdr(shifted("b-abandoned", 3), tz=moscow)
    assert parsed.rows[0].start == datetime.fromtimestamp(1795867085, UTC)
    assert assess_cdr(parsed, moscow, "local").usable
    settings = Settings(cdr_timezone="local")
    assert settings.cdr_zone(moscow) is moscow
    assert Settings(cdr_timezone="UTC").cdr_zone(moscow) == ZoneInfo("UTC")


def test_a_cdr_without_uniqueids_is_refused_with_the_line_to_add() -> None:
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
    for fields in csv.reader(capture_lines("a-answered", Kind.CDR)):
        writer.writerow(fields[:16])  # loguniqueid = no, loguserfield = no
    parsed = parse_cdr(out.getvalue().splitlines(keepends=True), tz=UTC)
    verdict = assess_cdr(parsed, UTC, "UTC")
    assert not verdict.usable
    assert "loguniqueid = yes" in verdict.problem
    assert "[csv]" in verdict.problem


# ------------------------------------------------------------------------ reconciliation


@pytest.fixture
def working_saturday(db_engine: Engine) -> None:
    with session_scope(db_engine) as session:
        set_override(
            session=session,
            day=date(2026, 11, 28),
            working=True,
            hours=None,
            reason="test: the recordings were made on a Saturday",
            actor="test",
            now=datetime(2026, 11, 28, 9, tzinfo=UTC),
        )


def reconcile_ivr_hangup(
    engine: Engine, tmp_path: Path, cdr_lines: list[str], **settings_fields: str
) -> Call | None:
    """The IVR hang-up reconciled after an AMI outage from ``cdr_lines`` (the line's zone is
    Moscow, as in production); the call's row, if one was made."""
    queue_log = tmp_path / "queue_log"
    queue_log.write_text("".join(capture_lines(IVR_HANGUP, Kind.QUEUE_LOG)), "utf-8")
    cdr = tmp_path / "Master.csv"
    cdr.write_text("".join(cdr_lines), "utf-8")
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        queue_log_path=queue_log,
        cdr_path=cdr,
        timezone="Europe/Moscow",
        **settings_fields,  # type: ignore[arg-type]
    )
    since = datetime(2026, 11, 28, 11, 0, tzinfo=UTC)
    now = since + timedelta(hours=4)
    store = CallLogStore(engine, settings)
    reconcile_files(settings, store, since, now, dialplan=CAPTURES_DIALPLAN)
    with Session(engine) as session:
        return session.exec(select(Call).where(Call.linkedid == IVR_HANGUP_ID)).first()


def assert_missed_in_the_ivr(call: Call | None) -> None:
    assert call is not None
    assert call.arrived_at == datetime.fromtimestamp(1795867248, UTC)
    assert (call.outcome, call.missed_reason) == (
        CallOutcome.MISSED,
        MissedReason.ABANDONED_IN_IVR,
    )


@pytest.mark.usefixtures("working_saturday")
def test_the_cdr_of_a_utc_host_is_not_read_in_the_lines_zone(
    db_engine: Engine, tmp_path: Path
) -> None:
    # Seen on a real line: a UTC host writes its CDR in UTC (usegmtime = no), the reader took
    # the times as Moscow time (the line's zone), three hours off, and the caller who hung up
    # in the IVR while AMI was down was never given an outcome (C13).
    lines = capture_lines(IVR_HANGUP, Kind.CDR)  # the recording host's clock was UTC
    call = reconcile_ivr_hangup(db_engine, tmp_path, lines, cdr_timezone="UTC")
    assert_missed_in_the_ivr(call)


@pytest.mark.usefixtures("working_saturday")
def test_the_cdr_of_a_moscow_host_is_read_in_moscow_time(db_engine: Engine, tmp_path: Path) -> None:
    lines = shifted(IVR_HANGUP, 3)
    call = reconcile_ivr_hangup(db_engine, tmp_path, lines, cdr_timezone="Europe/Moscow")
    assert_missed_in_the_ivr(call)


@pytest.mark.usefixtures("working_saturday")
def test_a_cdr_in_another_zone_is_not_used_and_says_so(
    db_engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = shifted(IVR_HANGUP, 3)
    call = reconcile_ivr_hangup(db_engine, tmp_path, lines, cdr_timezone="UTC")
    assert call is None  # nothing recorded three hours off
    [error] = [r for r in caplog.records if r.levelname == "ERROR"]
    assert "UTC+03:00" in error.getMessage()


# ------------------------------------------------------------------------ /health


def test_inspect_reports_each_kind_of_trouble(tmp_path: Path) -> None:
    assert inspect_queue_log(tmp_path / "absent").state is SourceState.MISSING
    assert inspect_queue_log(tmp_path).state is SourceState.UNREADABLE  # a folder
    garbage = tmp_path / "not-a-queue-log"
    garbage.write_text("hello\nworld\n", "utf-8")
    assert inspect_queue_log(garbage).state is SourceState.REFUSED
    assert inspect_cdr(None, UTC, "UTC").state is SourceState.NOT_CONFIGURED
    good = tmp_path / "queue_log"
    good.write_text("".join(capture_lines("a-answered", Kind.QUEUE_LOG)), "utf-8")
    assert inspect_queue_log(good).state is SourceState.OK


def test_inspect_cdr_reads_only_the_tail_of_a_long_file(tmp_path: Path) -> None:
    cdr = tmp_path / "Master.csv"
    old_rows = shifted("d-blind-transfer-chain", 3)  # in another zone, long ago
    recent = capture_lines("a-answered", Kind.CDR)
    with cdr.open("w", encoding="utf-8") as file:
        while file.tell() < 3 * TAIL_BYTES:
            file.writelines(old_rows)
        file.writelines(recent * 200)  # more than the tail holds
    lines, failure = read_tail(cdr)
    assert failure is None
    assert all(line.endswith("\n") for line in lines)
    assert len("".join(lines).encode()) <= TAIL_BYTES
    report = inspect_cdr(cdr, UTC, "UTC")
    assert report.state is SourceState.OK, report.problem
    assert "18 столбцов" in report.detail


def test_the_zone_is_judged_on_the_newest_channels() -> None:
    # A long UTC history, then the machine's clock zone set to Moscow: the rows written now
    # decide, however many older ones the file holds.
    older = [line for name in capture_names(Kind.CDR) for line in capture_lines(name, Kind.CDR)]
    newer = [
        line.replace("1795867", "1795999") for line in shifted("d-blind-transfer-chain", 3)
    ]  # later Uniqueids, three hours off in UTC
    parsed = parse_cdr(older + newer, tz=UTC)
    assert len({row.uniqueid for row in parsed.rows if row.line_no <= len(older)}) > ZONE_SAMPLE
    assert not assess_cdr(parsed, UTC, "UTC").usable
