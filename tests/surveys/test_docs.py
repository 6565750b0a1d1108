"""docs/surveys.md names every refusal reason, response kind, text and command option there is."""

from __future__ import annotations

import re
from pathlib import Path

import click

from footfall.cli_surveys import surveys
from pipelines.survey_responses import RESPONSE_KINDS
from pipelines.surveys import KINDS, TEXT_FIELDS

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "surveys.md").read_text()


def test_every_refusal_reason_is_in_the_validation_table() -> None:
    source = (ROOT / "collector" / "surveys.py").read_text() + (ROOT / "collector" / "survey_i18n.py").read_text()
    reasons = set(re.findall(r'Refusal\(\d{3}, "(\w+)"', source)) | set(re.findall(r'labels\("(\w+)"\)', source))
    assert {"bad_score", "unknown_survey", "inactive_survey", "comment_too_long", "duplicate_answer"} <= reasons
    table = DOC[DOC.index("## Validation"):DOC.index("### Repeat answers")]
    missing = sorted(reason for reason in reasons if f"`{reason}`" not in table)
    assert not missing, f"docs/surveys.md, Validation: document {missing}"


def test_kinds_texts_and_options_are_documented() -> None:
    for name in (*KINDS, *RESPONSE_KINDS, *TEXT_FIELDS):
        assert f"`{name}`" in DOC, name
    for command in surveys.commands.values():
        body = DOC[DOC.index(f"### `footfall surveys {command.name}`"):]
        for param in command.params:
            if isinstance(param, click.Option):
                for flag in (*param.opts, *param.secondary_opts):
                    assert f"`{flag}" in body.split("\n### ")[0], (command.name, flag)
