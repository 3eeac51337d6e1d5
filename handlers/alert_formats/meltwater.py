"""Meltwater's streaming webhooks (REST hooks on a saved search): `{request: {company_id, hook_id, inputs},
documents: [...]}`.

A delivery is a spike of documents on a search, so it is one alert keyed by the company and the hook
(repeated deliveries attach to the crisis the first one opened). Its title is the search's name, its
summary lists the top documents (title · source · sentiment · url), its networks are the documents'
sources and its metrics count the documents and each sentiment. Documents come in Meltwater's output
templates, nested (`content.title`, `source.name`, `enrichments.sentiment`) or legacy flat
(`title`, `source_name`, `sentiment`); both are read.

Meltwater says nothing of severity. The word a delivery carries is `negative` when most of its documents
are negative, else `spike`; map them in the plan (`alerts.words.meltwater: {negative: critical}`).
"""

from __future__ import annotations

from collections import Counter

from bot.domain.alerts import SUMMARY_LIMIT, TITLE_LIMIT, Alert, neutral_severity
from handlers.alert_formats.common import Reader, collapse, fit_key, first_url, normalise_networks, top, within

SOURCE = "meltwater"
TOP_DOCUMENTS = 5
SENTIMENTS = ("negative", "neutral", "positive")


def _first_text(data: dict, *paths: str) -> str | None:
    """The first non-blank string at one of the dotted paths."""
    for path in paths:
        value: object = data
        for part in path.split("."):
            value = value.get(part) if isinstance(value, dict) else None
        if isinstance(value, str) and value.strip():
            return collapse(value)
    return None


def _search_name(request: Reader) -> str | None:
    inputs = request.data.get("inputs")
    for item in inputs if isinstance(inputs, list) else [inputs]:
        if isinstance(item, dict):
            name = _first_text(item, "name", "search_name", "search.name")
            if name:
                return name
    return _first_text(request.data, "search_name", "name")


def parse(data: dict) -> Alert:
    """The alert a Meltwater delivery describes; AlertShapeError names every field at fault."""
    body = top(data)
    request = body.obj("request", required=True)
    company = hook = None
    if request is not None:
        company = request.text("company_id") or (str(request.data["company_id"])
                                                 if isinstance(request.data.get("company_id"), int) else None)
        hook = request.text("hook_id", required=True, blank=False)
    documents = body.objects("documents", required=True, non_empty=True)
    body.raise_if_any()
    assert request is not None and hook is not None

    search = _search_name(request) or hook
    if not within("request.inputs.name", search, TITLE_LIMIT, body.problems):
        body.raise_if_any()
    sentiments: Counter[str] = Counter()
    sources: list[str] = []
    lines: list[str] = []
    for document in documents:
        doc = document.data
        sentiment = (_first_text(doc, "enrichments.sentiment", "sentiment") or "").lower()
        if sentiment in SENTIMENTS:
            sentiments[sentiment] += 1
        source = _first_text(doc, "source.name", "source_name", "source.id")
        if source:
            sources.append(source)
        if len(lines) < TOP_DOCUMENTS:
            title = _first_text(doc, "content.title", "title", "content.opening_text", "opening_text") or "—"
            url = first_url(doc.get("url"))
            lines.append(" · ".join(part for part in (title[:200], source, sentiment or None, url) if part))
    summary = "\n".join(lines)
    if len(summary) > SUMMARY_LIMIT:
        summary = summary[:SUMMARY_LIMIT]  # our own digest of the documents, not the sender's text
    count = len(documents)
    word = "negative" if sentiments["negative"] * 2 > count else "spike"
    metrics = {"documents": float(count), **{name: float(n) for name, n in sentiments.items()}}
    return Alert(
        source=SOURCE,
        key=fit_key(SOURCE, f"{company or '-'}:{hook}"),
        title=collapse(search),
        summary=summary,
        severity=neutral_severity(SOURCE, word),
        source_severity=word,
        url=first_url(*(d.data.get("url") for d in documents)),
        networks=normalise_networks(sources)[:20],
        metrics=metrics,
        raw=data,
    )
