"""Local Slack emulator: a stateful fake of Slack's Web API over real HTTP (`SlackEmulator`)
and the user side that sends Slack-signed requests to the bot (`Workspace`)."""

from .render import render_channel, render_message
from .server import SlackEmulator
from .state import Call, Channel, Ephemeral, Message, User, View
from .workspace import Reply, Workspace

__all__ = ["SlackEmulator", "Workspace", "Reply", "render_message", "render_channel",
           "Call", "Channel", "Ephemeral", "Message", "User", "View"]
