"""views.* methods (modals and the App Home tab)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from .blockcheck import check_view
from .methods import ApiError, fill_block_ids, method
from .state import APP_ID, BOT_ID, TEAM_ID, Trigger, View

if TYPE_CHECKING:
    from .server import SlackEmulator

TRIGGER_TTL = 3.0
MAX_STACK = 3


def _view_arg(args: dict[str, Any], kind: str) -> dict[str, Any]:
    view = args.get("view")
    if not isinstance(view, dict):
        raise ApiError("invalid_arguments", ["[ERROR] failed to parse view [json-pointer:/view]"])
    bad = check_view(view, kind=kind)
    if bad:
        raise ApiError(bad[0], bad[1])
    return view


def exchange_trigger(emu: "SlackEmulator", args: dict[str, Any]) -> Trigger:
    trigger_id = args.get("trigger_id") or args.get("interactivity_pointer")
    if not trigger_id:
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: trigger_id"])
    trigger = emu.triggers.get(str(trigger_id))
    if trigger is None:
        raise ApiError("invalid_trigger_id")
    if trigger.used:
        raise ApiError("exchanged_trigger_id")
    if emu.clock() - trigger.issued_at > TRIGGER_TTL:
        raise ApiError("expired_trigger_id")
    trigger.used = True
    return trigger


def build_view(emu: "SlackEmulator", view_id: str, view: dict[str, Any], *,
               root_view_id: str | None = None,
               previous_view_id: str | None = None) -> dict[str, Any]:
    """The view object as Slack returns and stores it."""
    return {
        "id": view_id, "team_id": TEAM_ID, "title": None, "submit": None, "close": None,
        "private_metadata": "", "callback_id": "", "external_id": "",
        "clear_on_close": False, "notify_on_close": False,
        **view,
        "blocks": fill_block_ids(view.get("blocks") or [], f"{view_id}b"),
        "state": {"values": {}},
        "hash": f"{int(emu.clock())}.{emu.new_id('h')}",
        "root_view_id": root_view_id or view_id, "previous_view_id": previous_view_id,
        "app_id": APP_ID, "app_installed_team_id": TEAM_ID, "bot_id": BOT_ID,
    }


def replace_view(emu: "SlackEmulator", stored: View, view: dict[str, Any]) -> View:
    """Replace a stored view's content (views.update, response_action update)."""
    stored.view = build_view(emu, stored.id, view, root_view_id=stored.root_view_id,
                             previous_view_id=stored.previous_view_id)
    return stored


def new_view(emu: "SlackEmulator", user: str, view: dict[str, Any], kind: Literal["modal", "home"],
             trigger_id: str | None, previous: View | None = None) -> View:
    """Store a new view (pushed on top of `previous` when given)."""
    view_id = emu.new_id("V")
    root = previous.root_view_id if previous else view_id
    prev_id = previous.id if previous else None
    stored = View(view_id, user, build_view(emu, view_id, view, root_view_id=root,
                                            previous_view_id=prev_id),
                  kind, trigger_id, root_view_id=root, previous_view_id=prev_id)
    emu.views[view_id] = stored
    return stored


def new_modal(emu: "SlackEmulator", user: str, view: dict[str, Any], trigger_id: str | None,
              previous: View | None = None) -> View:
    return new_view(emu, user, view, "modal", trigger_id, previous)


@method("views.open")
def views_open(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    view = _view_arg(args, "modal")
    trigger = exchange_trigger(emu, args)
    return {"view": new_modal(emu, trigger.user, view, trigger.id).view}


@method("views.push")
def views_push(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    view = _view_arg(args, "modal")
    trigger = exchange_trigger(emu, args)
    stack = emu.open_views(trigger.user)
    if not stack:
        raise ApiError("not_found")
    top = stack[-1]
    if len([v for v in stack if v.root_view_id == top.root_view_id]) >= MAX_STACK:
        raise ApiError("push_limit_reached")
    return {"view": new_modal(emu, trigger.user, view, trigger.id, previous=top).view}


def _find(emu: "SlackEmulator", args: dict[str, Any]) -> View:
    view_id, external_id = args.get("view_id"), args.get("external_id")
    if not view_id and not external_id:
        raise ApiError("invalid_arguments", ["[ERROR] missing required field: view_id"])
    for stored in emu.views.values():
        if (view_id and stored.id == view_id) or (
                external_id and stored.view.get("external_id") == external_id):
            if stored.kind == "modal" and not stored.is_open:
                break
            return stored
    raise ApiError("not_found")


@method("views.update")
def views_update(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    stored = _find(emu, args)
    view = _view_arg(args, stored.kind)
    if args.get("hash") and args["hash"] != stored.view.get("hash"):
        raise ApiError("hash_conflict")
    return {"view": replace_view(emu, stored, view).view}


@method("views.publish")
def views_publish(emu: "SlackEmulator", args: dict[str, Any]) -> dict[str, Any]:
    user = emu.user(str(args["user_id"]))
    if user is None or user.is_bot:
        raise ApiError("invalid_arguments", ["[ERROR] invalid user_id [json-pointer:/user_id]"])
    view = _view_arg(args, "home")
    current = emu.views.get(emu.homes.get(user.id, ""))
    if current is None:
        current = new_view(emu, user.id, view, "home", None)
        emu.homes[user.id] = current.id
        return {"view": current.view}
    if args.get("hash") and args["hash"] != current.view.get("hash"):
        raise ApiError("hash_conflict")
    return {"view": replace_view(emu, current, view).view}
