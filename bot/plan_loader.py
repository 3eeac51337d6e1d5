"""Reads the crisis plan YAML: the team's own (CRISISBOT_PLAN) or the shipped default."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jmespath
import jmespath.exceptions
import yaml

from bot.domain.plan import Plan, PlanError


def load_plan(path: Path | None = None) -> Plan:
    """The plan; PlanError lists every problem, each line starting with the file and the path in it."""
    if path is None:
        text = resources.files("bot.plans").joinpath("default.yaml").read_text(encoding="utf-8")
        source = "the default plan"
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except IsADirectoryError:
            raise PlanError("CRISISBOT_PLAN names a folder; give the path of the plan's YAML file",
                            source=source) from None
        except OSError as exc:
            raise PlanError(f"cannot read the plan ({exc.strerror}); check CRISISBOT_PLAN",
                            source=source) from None
        except UnicodeDecodeError:
            raise PlanError("the plan is not UTF-8 text", source=source) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PlanError(_yaml_problem(exc), source=source) from None
    return Plan.from_dict(data, source=source, check_path=jmespath_problem)


def jmespath_problem(expression: str) -> str | None:
    """Why a mapped source's field expression doesn't compile, or None: checked at load, not per request."""
    try:
        jmespath.compile(expression)
    except jmespath.exceptions.JMESPathError as exc:
        first = str(exc).splitlines()[0].removesuffix(":").removesuffix(", for expression")
        return first.removesuffix(":")[:200]
    return None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """`line 12, column 5: not valid YAML: mapping values are not allowed here`, on one line."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
    return f"{where}not valid YAML: {problem}"
