"""A team's plan file with mistakes: every problem listed at once, each with the file and its path in the YAML,
by `crisisbot` itself (exit code 2, no traceback) and by `load_plan`."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.domain.plan import PlanError
from bot.plan_loader import load_plan

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = yaml.safe_load(resources.files("bot.plans").joinpath("default.yaml").read_text(encoding="utf-8"))
JARGON = ("Traceback", "validation error", "pydantic", "ValueError", "KeyError", "TypeError")


def a_plan(tmp_path: Path, **changes) -> Path:
    """The default plan with some settings changed (None: removed), written where CRISISBOT_PLAN can point."""
    data = {**DEFAULT, **changes}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in data.items() if v is not None}, allow_unicode=True,
                                   sort_keys=False), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(PlanError) as raised:
        load_plan(path)
    return raised.value.lines()


def without(phase: str) -> list[dict]:
    return [p for p in DEFAULT["phases"] if p["key"] != phase]




def test_a_word_where_minutes_belong_is_named_with_its_path(tmp_path):
    path = a_plan(tmp_path, reminders={"sitrep_missing_minutes": "soon", "sitrep_refresh_minutes": 60})

    assert problems(path) == [f'{path}: reminders.sitrep_missing_minutes: "soon" is not a number of minutes']


@pytest.mark.parametrize("changes, problem", [
    ({"first_response_minutes": "an hour"}, 'first_response_minutes: "an hour" is not a number of minutes'),
    ({"first_response_minutes": 0}, "first_response_minutes: must be at least 1 minute (got 0)"),
    ({"first_response_minutes": 7.5}, "first_response_minutes: 7.5 is not a whole number of minutes"),
    ({"limits": {"title": "long"}}, 'limits.title: "long" is not a number of characters'),
    ({"reminders": {"snooze_minutes": [30, "later"]}}, 'reminders.snooze_minutes[1]: "later" is not a number of minutes'),
    ({"reminders": {"snooze_minutes": "30"}}, 'reminders.snooze_minutes: "30" is not a list of numbers of minutes '
                                              "(write e.g. [30, 60])"),
    ({"alerts": {"digest_seconds": True}}, "alerts.digest_seconds: true is not a number of seconds"),
    ({"lessons_shown": "five"}, 'lessons_shown: "five" is not a number of lessons'),
    ({"archive_after_close": "soon"}, 'archive_after_close: "soon" is not a duration (write e.g. 7d, 12h or 30m)'),
    ({"phases": without("response")},
     "phases: the plan needs a Response phase (key: response; the golden hour is measured on it)"),
    ({"phases": without("rethink")},
     "phases: the plan needs a Rethink phase (key: rethink; the lessons of a crisis are recorded at it)"),
    ({"first_respons_minutes": 30}, "first_respons_minutes: unknown setting; did you mean first_response_minutes?"),
    ({"reminders": {"sitrep_missing": 15}},
     "reminders.sitrep_missing: unknown setting; did you mean sitrep_missing_minutes?"),
    ({"default_severity": "urgent"}, 'default_severity: "urgent" is not one of the severities (low, medium, high, '
                                     "critical)"),
    ({"limits": [150]}, "limits: must be a mapping of settings, not a list"),
])
def test_each_mistake_is_told_with_its_path_and_what_belongs_there(tmp_path, changes, problem):
    path = a_plan(tmp_path, **changes)

    assert problems(path) == [f"{path}: {problem}"]


def test_a_mistake_inside_a_phase_or_field_names_the_entry(tmp_path):
    phases = [dict(p) for p in DEFAULT["phases"]]
    phases[1] = {**phases[1], "alias": ["respuesta"]}
    sitrep = [dict(f) for f in DEFAULT["sitrep"]]
    sitrep[1] = {**sitrep[1], "required": "yes please"}
    path = a_plan(tmp_path, phases=phases, sitrep=sitrep)

    assert problems(path) == [f"{path}: phases[1].alias: unknown field; did you mean aliases?",
                              f'{path}: sitrep[1].required: "yes please" is not true or false']


def test_several_problems_are_all_listed_at_once_in_the_files_order(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(
        "name: Acme plan\n"
        "first_response_minutes: soon\n"
        "phases:\n"
        "  - {key: reduction, name: Reduction, summary: Contain}\n"
        "  - {key: recovery, name: Recovery, summary: Back to normal}\n"
        "severities: [{key: sev2, label: SEV2}, {key: sev1, label: SEV1}]\n"
        "roles: [{key: lead, name: Lead}]\n"
        "sitrep: [{key: origin, label: Origin, required: true}]\n"
        "reminders: {sitrep_missing_minutes: often}\n"
        "colour: red\n", encoding="utf-8")

    assert problems(path) == [
        f'{path}: first_response_minutes: "soon" is not a number of minutes',
        f"{path}: phases: the plan needs a Response phase (key: response; the golden hour is measured on it)",
        f"{path}: phases: the plan needs a Rethink phase (key: rethink; the lessons of a crisis are recorded at it)",
        f'{path}: reminders.sitrep_missing_minutes: "often" is not a number of minutes',
        f"{path}: colour: unknown setting (known: {', '.join(problems_known())})",
    ]


def problems_known() -> list[str]:
    from dataclasses import fields

    from bot.domain.plan import Plan

    return [f.name for f in fields(Plan)]


def test_a_file_that_is_not_yaml_says_where(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text("name: Acme\nphases: [\n  - key: reduction\n", encoding="utf-8")

    [line] = problems(path)
    assert line.startswith(f"{path}: line ") and "not valid YAML" in line and "\n" not in line


def test_a_plan_file_that_is_missing_or_empty_is_one_line(tmp_path):
    (tmp_path / "empty.yaml").write_text("# nothing yet\n", encoding="utf-8")

    assert problems(tmp_path / "nowhere.yaml") == [
        f"{tmp_path / 'nowhere.yaml'}: cannot read the plan (No such file or directory); check CRISISBOT_PLAN"]
    assert problems(tmp_path / "empty.yaml") == [f"{tmp_path / 'empty.yaml'}: the plan is empty"]
    assert problems(tmp_path) == [f"{tmp_path}: CRISISBOT_PLAN names a folder; give the path of the plan's YAML file"]


def test_a_good_plan_with_an_archive_delay_reads(tmp_path):
    plan = load_plan(a_plan(tmp_path, archive_after_close="36h", first_response_minutes=30))

    assert plan.first_response_minutes == 30 and plan.archive_after_close.total_seconds() == 36 * 3600


def test_export_with_a_broken_plan_lists_every_problem_and_exits_2(cli_env, capsys, tmp_path):
    path = a_plan(tmp_path, first_response_minutes="soon", phases=without("rethink"))
    cli_env.setenv("CRISISBOT_PLAN", str(path))

    code = main(["export", "1"])

    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        "crisisbot: the crisis plan has 2 problems (CRISISBOT_PLAN):",
        f'{path}: first_response_minutes: "soon" is not a number of minutes',
        f"{path}: phases: the plan needs a Rethink phase (key: rethink; the lessons of a crisis are recorded at it)",
    ]


def test_serve_with_a_broken_plan_refuses_before_anything_starts(tmp_path):
    path = a_plan(tmp_path, reminders={"sitrep_missing_minutes": "soon"}, phases=without("response"))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "CRISISBOT_PLAN": str(path),
           "SLACK_BOT_TOKEN": "xoxb-2093847561-5738291046-Qm7vT2kLp9ZrX4wN8bHc1JdF",
           "SLACK_SIGNING_SECRET": "8f3a91c2d7e64b05a1f9c3e8d2b7a640", "CRISISBOT_ALERT_TOKEN": "Zr8q2Lw5Vn1Kx7Pc",
           "HOST": "127.0.0.1", "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'never.db'}"}

    done = subprocess.run([sys.executable, "-m", "bot.cli", "serve"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=60)

    assert done.returncode == 2
    for word in JARGON:
        assert word not in done.stderr
    assert done.stderr.splitlines()[-3:] == [
        "crisisbot: the crisis plan has 2 problems (CRISISBOT_PLAN):",
        f"{path}: phases: the plan needs a Response phase (key: response; the golden hour is measured on it)",
        f'{path}: reminders.sitrep_missing_minutes: "soon" is not a number of minutes',
    ]
    assert not (tmp_path / "never.db").exists()
