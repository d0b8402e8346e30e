"""Route ``callback-dialout`` (args: task id, channel): the number to dial for a callback
task (C11).

The console reserves the task for its Originate's ChannelId, then originates the callback
through AMI into the dialplan, which asks here for the number, passing the channel's own
Uniqueid (that ChannelId). ``CALLBACK_NUMBER`` (digits only) is given only to the channel that
holds the task's live reservation, and the task becomes in progress. Anything else — a missing
or closed task, another channel, a lapsed reservation — is an error (the server's one error
path sets ``LINE_AGI_FAILED``, the dialplan tells the operator): the dialplan never dials a
number it was not given for its own click-to-call, and a peer that reaches the FastAGI port
cannot collect numbers by task id.
"""

from __future__ import annotations

from ivr.agi.channel import AgiChannel
from ivr.flows.context import FlowContext, channel_id_arg, task_id_arg
from ivr.variables import CALLBACK_NUMBER


class NoActiveCallbackTask(LookupError):  # noqa: N818 (reads as the condition it reports)
    pass


async def run(channel: AgiChannel, context: FlowContext) -> None:
    task_id = task_id_arg(channel, 0)
    channel_id = channel_id_arg(channel, 1)
    number = await context.blocking(
        context.store.callback_number, task_id, channel_id, context.clock()
    )
    if number is None:
        raise NoActiveCallbackTask(f"callback task {task_id}: no number for {channel_id}")
    await channel.set_variable(CALLBACK_NUMBER, number)
