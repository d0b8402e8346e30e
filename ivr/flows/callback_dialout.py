"""Route ``callback-dialout`` (args: task id): the number to dial for a callback task (C11).

The console originates the callback through AMI into the dialplan, which asks here for the
number: ``CALLBACK_NUMBER`` (digits only) for an active task, which becomes in progress. A
missing or closed task is an error (the server's one error path sets ``LINE_AGI_FAILED``), so
the dialplan never dials a number it was not given by a task.
"""

from __future__ import annotations

from ivr.agi.channel import AgiChannel
from ivr.flows.context import FlowContext, task_id_arg
from ivr.variables import CALLBACK_NUMBER


class NoActiveCallbackTask(LookupError):  # noqa: N818 (reads as the condition it reports)
    pass


async def run(channel: AgiChannel, context: FlowContext) -> None:
    task_id = task_id_arg(channel)
    number = await context.blocking(context.store.callback_number, task_id, context.clock())
    if number is None:
        raise NoActiveCallbackTask(f"callback task {task_id} is not active")
    await channel.set_variable(CALLBACK_NUMBER, number)
