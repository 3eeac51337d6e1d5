"""Alert messages: the alert that opened a crisis, the digest of later ones, triage requests."""

from __future__ import annotations

from bot.domain.alerts import Alert
from bot.domain.digest import Digest, Triage
from bot.domain.notices import Notice
from handlers.blocks.kit import context, mention, section, when
from handlers.blocks.messages import severity_label
from handlers.blocks.notices import Rendered, RenderContext
from handlers.escape import cut, esc

TRIAGE_OPEN, TRIAGE_DISMISS, RECORD_RECOVERY = "triage_open", "triage_dismiss", "record_recovery"
TRIAGE_CONFIRM, TRIAGE_CANCEL = "triage_open_confirmed", "triage_open_cancelled"


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict:
    button = {"type": "button", "action_id": action_id, "value": value,
              "text": {"type": "plain_text", "text": text[:75]}}
    if style:
        button["style"] = style
    return button


def _link(url: str) -> str:
    """A URL from an alert, safe inside <…|…>: no '|' or '>' can end it early."""
    return url.replace("|", "%7C").replace(">", "%3E").replace("<", "%3C")


def alert_opened(n: Notice, ctx: RenderContext) -> Rendered:
    t, crisis = ctx.catalog, n.crisis
    alert: Alert = n.data["alert"]
    assert crisis is not None
    count = t.t("alerts.intro_group", count=t.number(alert.count)) if alert.fingerprints and alert.count > 1 else (
        t.t("alerts.intro_count", count=t.number(alert.count)) if alert.count > 1 else "")
    text = t.t("alerts.intro", source=esc(alert.source), title=esc(alert.title),
               severity=esc(severity_label(crisis, ctx.plan)), count=count)
    lines = [text]
    if alert.summary:
        lines.append(t.t("alerts.intro_summary", summary=cut(esc(alert.summary), 1500).replace("\n", "\n> ")))
    if alert.networks:
        lines.append(t.t("alerts.intro_networks", networks=esc(", ".join(alert.networks))))
    if alert.metrics:
        lines.append(t.t("alerts.intro_metrics", metrics=esc(", ".join(f"{k} {v:g}" for k, v in alert.metrics.items()))))
    if alert.url:
        lines.append(t.t("alerts.intro_link", url=_link(alert.url)))
    blocks = [section("\n".join(lines))]
    previous = n.data.get("previous")
    if previous is not None:
        closed = when(previous.closed_at) if previous.closed_at else "?"
        key = "alerts.previous" if previous.channel_id else "alerts.previous_no_channel"
        blocks.append(context(t.t(key, channel=previous.channel_id, crisis=previous.id, closed=closed)))
    return text, blocks


def alert_digest(n: Notice, ctx: RenderContext) -> Rendered:
    t, crisis = ctx.catalog, n.crisis
    digest: Digest = n.data["digest"]
    assert crisis is not None
    resolved = t.t("alerts.digest_resolved", resolved=t.number(digest.resolved)) if digest.resolved else ""
    since = when(digest.since) if digest.since else "?"
    if digest.alerts:
        text = t.t("alerts.digest", count=t.number(digest.alerts), since=since, resolved=resolved,
                   total=t.number(n.data["total"]))
    else:  # only state changes: the group's alerts were counted when they first came
        text = t.t("alerts.digest_resolved_only", count=digest.resolved, resolved=t.number(digest.resolved),
                   since=since, total=t.number(n.data["total"]))
    blocks = [section(text)]
    if digest.titles:
        blocks.append(context(t.t("alerts.digest_titles", titles=esc(" · ".join(digest.titles)))))
    if digest.resolved:
        blocks.append(context(t.t("alerts.resolved_hint")))
        blocks.append({"type": "actions", "elements": [
            _button(t.t("alerts.recovery_button"), RECORD_RECOVERY, str(crisis.id), "primary")]})
    return text, blocks


def triage(n: Notice, ctx: RenderContext) -> Rendered:
    t = ctx.catalog
    item: Triage = n.data["triage"]
    severity = ctx.plan.severity(item.severity)
    threshold = ctx.plan.severity(ctx.plan.alerts.auto_open)
    text = t.t("alerts.triage", source=esc(item.source), title=esc(item.title),
               severity=esc(severity.label if severity else item.severity),
               threshold=esc(threshold.label if threshold else ctx.plan.alerts.auto_open), count=t.number(item.alert_count))
    blocks = [section(text)]
    if n.data.get("resolved") and item.is_pending:
        blocks.append(context(t.t("alerts.triage_resolved")))
    if item.is_pending:
        blocks.append({"type": "actions", "elements": [
            _button(t.t("alerts.open_button"), TRIAGE_OPEN, str(item.id), "danger"),
            _button(t.t("alerts.dismiss_button"), TRIAGE_DISMISS, str(item.id)),
        ]})
    elif item.status == "opened" and n.data.get("linked"):
        blocks.append(context(t.t("alerts.triage_linked", by=mention(item.decided_by, t),
                                  channel=n.data.get("channel"))))
    elif item.status == "opened":
        key = "alerts.triage_opened" if n.data.get("channel") else "alerts.triage_opened_pending"
        blocks.append(context(t.t(key, by=mention(item.decided_by, t), channel=n.data.get("channel"))))
    else:
        blocks.append(context(t.t("alerts.triage_dismissed", by=mention(item.decided_by, t))))
    return text, blocks


def _recovery(t, crisis) -> list[dict]:
    return [context(t.t("alerts.resolved_hint")), {"type": "actions", "elements": [
        _button(t.t("alerts.recovery_button"), RECORD_RECOVERY, str(crisis.id), "primary")]}]


def alert_resolved(n: Notice, ctx: RenderContext) -> Rendered:
    """The crisis's alert resolved: told at once, with the Recovery hint and button."""
    t, crisis = ctx.catalog, n.crisis
    assert crisis is not None
    text = t.t("alerts.resolved_now", at=when(n.data["at"]), minutes=n.data["minutes"], title=esc(crisis.title))
    return text, [section(text), *_recovery(t, crisis)]


def alert_acknowledged(n: Notice, ctx: RenderContext) -> Rendered:
    t, crisis = ctx.catalog, n.crisis
    assert crisis is not None
    text = t.t("alerts.acknowledged_now", at=when(n.data["at"]), source=esc(crisis.alert_source or ""))
    return text, [section(text)]


def confirm_open(triage_id: int, t) -> Rendered:
    """Asked of the clicker before a crisis opens from an alert that already resolved."""
    text = t.t("alerts.confirm_open")
    return text, [section(text), {"type": "actions", "elements": [
        _button(t.t("alerts.confirm_open_button"), TRIAGE_CONFIRM, str(triage_id), "danger"),
        _button(t.t("alerts.cancel_open_button"), TRIAGE_CANCEL, str(triage_id))]}]


RENDERERS = {"alert_opened": alert_opened, "alert_digest": alert_digest, "triage": triage,
             "alert_resolved": alert_resolved, "alert_acknowledged": alert_acknowledged}
