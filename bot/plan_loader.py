"""Reads the crisis plan YAML: the team's own (CRISISBOT_PLAN) or the shipped default."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml

from bot.domain.plan import Plan, PlanError


def load_plan(path: Path | None = None) -> Plan:
    if path is None:
        text = resources.files("bot.plans").joinpath("default.yaml").read_text(encoding="utf-8")
        source = "the default plan"
    else:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise PlanError(f"cannot read the plan {path}: {exc.strerror}") from exc
        source = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlanError(f"{source} is not valid YAML: {exc}") from exc
    return Plan.from_dict(data)
