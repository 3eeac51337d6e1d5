"""Opening a crisis is a small graph of idempotent steps.

Each step runs once its prerequisites are done; independent steps run side by
side. The critical path to a pinned plan is create_channel -> post_plan -> pin_plan
(three Slack round trips): the invites, the topic, the announcement to managers and
the alert's bookmark go out beside the plan's post; the default role holders and the
situation-report prompt beside its pin.
Each step's outcome is recorded, so an interrupted opening can be resumed.

The room is ready (the opener is told, the crisis counts as open) once every step but
those in BESIDE is done and recorded: the managers' announcement may wait on Slack's
one-message-a-second limit for their channel without holding back anyone's room.

The first steps are the database's own (the alert and "opened" timeline entries, the lead's role, the
reminders and golden hour): they are steps like the Slack ones, recorded the same way, so a crash right
after one of them resumes with the others, and each is written so that running it twice records once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class StepStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


@dataclass
class StepState:
    step: str
    status: StepStatus = StepStatus.PENDING
    attempts: int = 0
    detail: dict = field(default_factory=dict)
    error: str | None = None


# step -> the steps it needs first
OPENING_STEPS: dict[str, tuple[str, ...]] = {
    # the database's steps, first (milliseconds): the channel is made for a crisis that is fully on record
    "alert_entry": (),  # the timeline starts with the alert that opened the crisis (nothing otherwise)
    "opened_entry": ("alert_entry",),
    "lead_role": (),
    "reminders": (),  # situation-report reminders and the golden-hour escalation
    "alert_context": (),  # what the alert tells, pre-filled in the situation report (nothing otherwise)
    "create_channel": ("opened_entry", "lead_role", "reminders", "alert_context"),
    "invite": ("create_channel",),
    "set_topic": ("create_channel",),
    "post_plan": ("create_channel",),
    "pin_plan": ("post_plan",),
    "default_roles": ("post_plan",),  # then the pinned plan is updated with them
    "announce": ("create_channel",),
    "sitrep_prompt": ("post_plan",),  # below the plan in the channel; beside its pin
    # when an alert opened the crisis (nothing to do otherwise):
    "alert_intro": ("create_channel",),  # the alert bookmarked and introduced in the channel
}


# steps the room does not wait for: they finish after it is ready (and are resumed like the others)
BESIDE: frozenset[str] = frozenset({"announce"})


# The channel's record is committed before anyone is let in, told of it or shown its pinned plan, so a person
# who acts in a room the moment they see it finds it known as a crisis room. Only the plan post, in a channel
# no one else is in yet, goes beside that commit (it is the critical path: create, post, pin).
RECORDED_FIRST: frozenset[str] = frozenset({"create_channel"})
EAGER: frozenset[str] = frozenset({"post_plan"})


def ready(states: dict[str, StepState], running: set[str],
          committed: dict[str, StepState] | None = None) -> list[str]:
    """Steps not done, not running, whose prerequisites are all done; given what is `committed`, a step after
    one in RECORDED_FIRST (except those in EAGER) waits for that step's record too."""
    done = {s for s, st in states.items() if st.status is StepStatus.DONE}
    failed = {s for s, st in states.items() if st.status is StepStatus.FAILED}
    recorded = done if committed is None else {s for s, st in committed.items() if st.status is StepStatus.DONE}

    def waits_for_record(step: str) -> bool:
        return step not in EAGER and any(a in RECORDED_FIRST and a not in recorded for a in _ANCESTORS[step])

    return [
        step
        for step, needs in OPENING_STEPS.items()
        if step not in done | running | failed and all(n in done for n in needs) and not waits_for_record(step)
    ]


def _ancestors(step: str) -> frozenset[str]:
    needs = OPENING_STEPS[step]
    return frozenset(needs).union(*(_ancestors(n) for n in needs))


_ANCESTORS: dict[str, frozenset[str]] = {step: _ancestors(step) for step in OPENING_STEPS}


def finished(states: dict[str, StepState]) -> bool:
    return all(states.get(s, StepState(s)).status is StepStatus.DONE for s in OPENING_STEPS)


def room_ready(states: dict[str, StepState]) -> bool:
    """Every step the room needs is done: the channel, its people, topic and pinned plan, the prompt."""
    return all(states.get(s, StepState(s)).status is StepStatus.DONE for s in OPENING_STEPS if s not in BESIDE)


def blocked(states: dict[str, StepState], running: set[str]) -> bool:
    """The room cannot get ready in this run: a step it needs failed, and nothing it needs is still running or
    could start."""
    if room_ready(states):
        return False
    return not any(s not in BESIDE for s in running | set(ready(states, running)))


# Slack answers that won't change by trying again: a person has to act (permissions, tokens).
PERMANENT = frozenset({
    "restricted_action", "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
    "missing_scope", "no_permission", "cannot_create_channel", "not_allowed_token_type", "ekm_access_denied",
    "team_access_not_granted", "org_login_required", "app_missing_action_url",
})


def permanent(state: StepState) -> bool:
    return state.status is StepStatus.FAILED and (state.error or "") in PERMANENT


def retryable(states: dict[str, StepState]) -> dict[str, StepState]:
    """The states to run with: a step that failed for a passing reason (an outage, a timeout) is tried again."""
    return {step: state for step, state in states.items()
            if state.status is not StepStatus.FAILED or permanent(state)}
