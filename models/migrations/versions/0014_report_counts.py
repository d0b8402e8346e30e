"""missed_counts, survey_counts: counts by hour kept by triggers

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-14 10:00:00.000000

The missed-call report (C13) and the survey report (C15) over a year read every call of the
year: a quarter of a second and ten seconds on five years of a busy line. Two tables of counts
by UTC hour (``models.tables.report_counts``) are filled from the existing calls here and kept
right from then on by triggers, whichever code writes: a row's share is taken out of its count
before the row changes or goes, and added after. The same statements serve SQLite and
PostgreSQL (only the hour's expression differs); on PostgreSQL they sit in trigger functions.

* ``calls``: inserted — its share added; updated in a column a count depends on — old share
  out, new in; deleted — its share out *before* the row goes (a cascade would otherwise delete
  its survey answer first, and the share taken out would lack the answer).
* ``callback_tasks``: a new task, a status changed, a task deleted — the missed calls that point
  at it move from the old status's count to the new one.
* ``survey_responses``: inserted, changed or deleted — the call's share without the answer
  swapped for the share with it, or back. An answer deleted with its call finds no call and
  changes nothing: the call took its whole share out before it went.

Writing a call costs a few more statements (measured: ``bench/bench_count_triggers.py``).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MISSED_KEY = ('hour', 'training', 'missed_reason', 'short_call', 'topic', 'callback_status')
SURVEY_KEY = ('hour', 'training', 'operator_id')
SURVEY_MEASURES = (
    'answered_calls', 'offered', 'complete', 'partial', 'resolved_yes', 'resolved_no',
    'satisfied', 'partly_satisfied', 'not_satisfied',
)
MISSED_COLUMNS = ('arrived_at', 'outcome', 'missed_reason', 'short_call', 'topic', 'callback_task_id', 'training')
SURVEY_CALL_COLUMNS = ('arrived_at', 'outcome', 'hangup_side', 'operator_id', 'training')
RESPONSE_COLUMNS = ('call_id', 'operator_id', 'answer_received', 'quality')
NO_RESPONSE = {'id': 'NULL', 'operator_id': 'NULL', 'answer_received': 'NULL', 'quality': 'NULL'}


def _hour(dialect: str, instant: str) -> str:
    if dialect == 'postgresql':
        return f"to_char({instant} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24')"
    return f"substr({instant}, 1, 13)"


def _added(table: str, key: Sequence[str], measures: Sequence[str], select: str) -> str:
    sums = ', '.join(f'{m} = {table}.{m} + excluded.{m}' for m in measures)
    columns = ', '.join((*key, *measures))
    return f'INSERT INTO {table} ({columns})\n{select}\nON CONFLICT ({", ".join(key)}) DO UPDATE SET {sums};'


def missed_share(dialect: str, sign: int, call: str, status: str, source: str) -> str:
    """Adds ``sign`` times the missed calls of ``source`` (rows named ``call``) to their counts,
    under the callback status ``status``."""
    select = (
        f"SELECT {_hour(dialect, f'{call}.arrived_at')}, {call}.training, "
        f"coalesce({call}.missed_reason, ''), {call}.short_call, coalesce({call}.topic, ''), "
        f"{status}, {sign} * count(*)\n{source} AND {call}.outcome = 'missed'\n"
        "GROUP BY 1, 2, 3, 4, 5, 6"
    )
    return _added('missed_counts', MISSED_KEY, ('calls',), select)


def task_status(call: str) -> str:
    return f"coalesce((SELECT t.status FROM callback_tasks t WHERE t.id = {call}.callback_task_id), '')"


def survey_share(dialect: str, sign: int, call: str, response: dict[str, str], source: str) -> str:
    """Adds ``sign`` times the survey measures of ``source``'s calls (rows named ``call``) with
    their answers (columns in ``response``)."""
    answered = f"{call}.outcome = 'answered'"
    has_response = f"{response['id']} IS NOT NULL"
    resolved, quality = response['answer_received'], response['quality']
    both = f'({resolved} IS NOT NULL AND {quality} IS NOT NULL)'
    some = f'({resolved} IS NOT NULL OR {quality} IS NOT NULL)'
    conditions = (
        answered,
        f"{has_response} OR ({answered} AND {call}.hangup_side = 'operator')",
        both,
        f'{some} AND NOT {both}',
        f"{resolved} = 'yes'",
        f"{resolved} = 'no'",
        f"{quality} = 'satisfied'",
        f"{quality} = 'partly_satisfied'",
        f"{quality} = 'not_satisfied'",
    )
    sums = ', '.join(f'{sign} * sum(CASE WHEN {c} THEN 1 ELSE 0 END)' for c in conditions)
    select = (
        f"SELECT {_hour(dialect, f'{call}.arrived_at')}, {call}.training, "
        f"coalesce({call}.operator_id, {response['operator_id']}, 0), {sums}\n"
        f'{source} AND ({answered} OR {has_response})\nGROUP BY 1, 2, 3'
    )
    return _added('survey_counts', SURVEY_KEY, SURVEY_MEASURES, select)


def _response_columns(prefix: str) -> dict[str, str]:
    return {name: f'{prefix}.{name}' for name in NO_RESPONSE}


def _call_row(row: str) -> str:
    """A trigger's own call row (OLD or NEW) with its survey answer, as a FROM clause."""
    return (
        f'FROM (SELECT {row}.id AS id) own '
        'LEFT JOIN survey_responses s ON s.call_id = own.id WHERE true'
    )


def _answer_call(row: str) -> str:
    return f'FROM calls c WHERE c.id = {row}.call_id'


def _task_calls(row: str) -> str:
    return f'FROM calls c WHERE c.callback_task_id = {row}.id'


# --------------------------------------------------------------------------- what each event does


def call_added(d: str, row: str, sign: int) -> list[str]:
    return [
        missed_share(d, sign, row, task_status(row), 'WHERE true'),
        survey_share(d, sign, row, _response_columns('s'), _call_row(row)),
    ]


def call_missed_moved(d: str) -> list[str]:
    return [
        missed_share(d, -1, 'OLD', task_status('OLD'), 'WHERE true'),
        missed_share(d, 1, 'NEW', task_status('NEW'), 'WHERE true'),
    ]


def call_survey_moved(d: str) -> list[str]:
    return [
        survey_share(d, -1, 'OLD', _response_columns('s'), _call_row('OLD')),
        survey_share(d, 1, 'NEW', _response_columns('s'), _call_row('NEW')),
    ]


def task_moved(d: str, old: str, new: str, row: str) -> list[str]:
    return [
        missed_share(d, -1, 'c', old, _task_calls(row)),
        missed_share(d, 1, 'c', new, _task_calls(row)),
    ]


def answer_moved(d: str, old: str | None, new: str | None) -> list[str]:
    """The share of the answer's call: out with ``old`` (None: no answer), in with ``new``."""
    return [
        survey_share(d, -1, 'c', _response_columns(old) if old else NO_RESPONSE, _answer_call(old or new or '')),
        survey_share(d, 1, 'c', _response_columns(new) if new else NO_RESPONSE, _answer_call(new or old or '')),
    ]


# --------------------------------------------------------------------------- SQLite


def _sqlite_trigger(name: str, when: str, body: list[str], condition: str = '') -> str:
    return f'CREATE TRIGGER {name} {when}{condition}\nBEGIN\n' + '\n'.join(body) + '\nEND'


def sqlite_triggers() -> dict[str, str]:
    d = 'sqlite'
    return {
        'calls_counts_insert': _sqlite_trigger(
            'calls_counts_insert', 'AFTER INSERT ON calls', call_added(d, 'NEW', 1)
        ),
        'calls_counts_missed_update': _sqlite_trigger(
            'calls_counts_missed_update',
            f'AFTER UPDATE OF {", ".join(MISSED_COLUMNS)} ON calls',
            call_missed_moved(d),
        ),
        'calls_counts_survey_update': _sqlite_trigger(
            'calls_counts_survey_update',
            f'AFTER UPDATE OF {", ".join(SURVEY_CALL_COLUMNS)} ON calls',
            call_survey_moved(d),
        ),
        'calls_counts_delete': _sqlite_trigger(
            'calls_counts_delete', 'BEFORE DELETE ON calls', call_added(d, 'OLD', -1)
        ),
        'callback_tasks_counts_insert': _sqlite_trigger(
            'callback_tasks_counts_insert',
            'AFTER INSERT ON callback_tasks',
            task_moved(d, "''", 'NEW.status', 'NEW'),
        ),
        'callback_tasks_counts_update': _sqlite_trigger(
            'callback_tasks_counts_update',
            'AFTER UPDATE OF status ON callback_tasks',
            task_moved(d, 'OLD.status', 'NEW.status', 'NEW'),
            ' WHEN OLD.status IS NOT NEW.status',
        ),
        'callback_tasks_counts_delete': _sqlite_trigger(
            'callback_tasks_counts_delete',
            'BEFORE DELETE ON callback_tasks',
            task_moved(d, 'OLD.status', "''", 'OLD'),
        ),
        'survey_responses_counts_insert': _sqlite_trigger(
            'survey_responses_counts_insert',
            'AFTER INSERT ON survey_responses',
            answer_moved(d, None, 'NEW'),
        ),
        'survey_responses_counts_update': _sqlite_trigger(
            'survey_responses_counts_update',
            f'AFTER UPDATE OF {", ".join(RESPONSE_COLUMNS)} ON survey_responses',
            answer_moved(d, 'OLD', 'NEW'),
        ),
        'survey_responses_counts_delete': _sqlite_trigger(
            'survey_responses_counts_delete',
            'AFTER DELETE ON survey_responses',
            answer_moved(d, 'OLD', None),
        ),
    }


# --------------------------------------------------------------------------- PostgreSQL


def _changed(columns: Sequence[str]) -> str:
    listed = ', '.join(columns)
    return f'(OLD.{listed.replace(", ", ", OLD.")}) IS DISTINCT FROM (NEW.{listed.replace(", ", ", NEW.")})'


def _function(name: str, body: str) -> str:
    return (
        f'CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $body$\nBEGIN\n'
        f'{body}\nEND\n$body$'
    )


def _lines(statements: list[str]) -> str:
    return '\n'.join(statements)


def postgresql_functions() -> dict[str, str]:
    d = 'postgresql'
    return {
        'calls_counts_written': _function(
            'calls_counts_written',
            "IF TG_OP = 'INSERT' THEN\n"
            + _lines(call_added(d, 'NEW', 1))
            + f'\nELSE\nIF {_changed(MISSED_COLUMNS)} THEN\n'
            + _lines(call_missed_moved(d))
            + f'\nEND IF;\nIF {_changed(SURVEY_CALL_COLUMNS)} THEN\n'
            + _lines(call_survey_moved(d))
            + '\nEND IF;\nEND IF;\nRETURN NULL;',
        ),
        'calls_counts_deleting': _function(
            'calls_counts_deleting', _lines(call_added(d, 'OLD', -1)) + '\nRETURN OLD;'
        ),
        'callback_tasks_counts_written': _function(
            'callback_tasks_counts_written',
            "IF TG_OP = 'INSERT' THEN\n"
            + _lines(task_moved(d, "''", 'NEW.status', 'NEW'))
            + '\nELSIF OLD.status IS DISTINCT FROM NEW.status THEN\n'
            + _lines(task_moved(d, 'OLD.status', 'NEW.status', 'NEW'))
            + '\nEND IF;\nRETURN NULL;',
        ),
        'callback_tasks_counts_deleting': _function(
            'callback_tasks_counts_deleting',
            _lines(task_moved(d, 'OLD.status', "''", 'OLD')) + '\nRETURN OLD;',
        ),
        'survey_responses_counts_written': _function(
            'survey_responses_counts_written',
            "IF TG_OP = 'INSERT' THEN\n"
            + _lines(answer_moved(d, None, 'NEW'))
            + "\nELSIF TG_OP = 'UPDATE' THEN\n"
            + _lines(answer_moved(d, 'OLD', 'NEW'))
            + '\nELSE\n'
            + _lines(answer_moved(d, 'OLD', None))
            + '\nEND IF;\nRETURN NULL;',
        ),
    }


POSTGRESQL_TRIGGERS = {
    'calls_counts_written': (
        f'AFTER INSERT OR UPDATE OF {", ".join(sorted(set(MISSED_COLUMNS + SURVEY_CALL_COLUMNS)))} ON calls'
    ),
    'calls_counts_deleting': 'BEFORE DELETE ON calls',
    'callback_tasks_counts_written': 'AFTER INSERT OR UPDATE OF status ON callback_tasks',
    'callback_tasks_counts_deleting': 'BEFORE DELETE ON callback_tasks',
    'survey_responses_counts_written': (
        f'AFTER INSERT OR DELETE OR UPDATE OF {", ".join(RESPONSE_COLUMNS)} ON survey_responses'
    ),
}
TRIGGER_TABLES = {name: when.rsplit(' ON ', 1)[1] for name, when in POSTGRESQL_TRIGGERS.items()}


# --------------------------------------------------------------------------- the counts so far


def backfill(d: str) -> list[str]:
    missed = (
        f"INSERT INTO missed_counts ({', '.join(MISSED_KEY)}, calls)\n"
        f"SELECT {_hour(d, 'c.arrived_at')}, c.training, coalesce(c.missed_reason, ''), "
        "c.short_call, coalesce(c.topic, ''), coalesce(t.status, ''), count(*)\n"
        'FROM calls c LEFT JOIN callback_tasks t ON t.id = c.callback_task_id\n'
        "WHERE c.outcome = 'missed' GROUP BY 1, 2, 3, 4, 5, 6"
    )
    survey = survey_share(
        d,
        1,
        'c',
        _response_columns('s'),
        'FROM calls c LEFT JOIN survey_responses s ON s.call_id = c.id WHERE true',
    ).split('\nON CONFLICT')[0]
    return [missed, survey]


def upgrade() -> None:
    op.create_table(
        'missed_counts',
        sa.Column('hour', sa.String(length=13), nullable=False),
        sa.Column('training', sa.Boolean(), nullable=False),
        sa.Column('missed_reason', sa.String(length=24), nullable=False),
        sa.Column('short_call', sa.Boolean(), nullable=False),
        sa.Column('topic', sa.String(length=24), nullable=False),
        sa.Column('callback_status', sa.String(length=24), nullable=False),
        sa.Column('calls', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*MISSED_KEY),
    )
    op.create_table(
        'survey_counts',
        sa.Column('hour', sa.String(length=13), nullable=False),
        sa.Column('training', sa.Boolean(), nullable=False),
        sa.Column('operator_id', sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in SURVEY_MEASURES),
        sa.PrimaryKeyConstraint(*SURVEY_KEY),
    )
    dialect = op.get_bind().dialect.name
    for statement in backfill(dialect):
        op.execute(statement)
    if dialect == 'postgresql':
        for name, function in postgresql_functions().items():
            op.execute(function)
            op.execute(
                f'CREATE TRIGGER {name} {POSTGRESQL_TRIGGERS[name]} '
                f'FOR EACH ROW EXECUTE FUNCTION {name}()'
            )
    else:
        for trigger in sqlite_triggers().values():
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for name, table in TRIGGER_TABLES.items():
            op.execute(f'DROP TRIGGER {name} ON {table}')
            op.execute(f'DROP FUNCTION {name}()')
    else:
        for name in sqlite_triggers():
            op.execute(f'DROP TRIGGER {name}')
    op.drop_table('survey_counts')
    op.drop_table('missed_counts')
