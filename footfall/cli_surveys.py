"""`footfall surveys …`: create, list, show, edit, pause and resume feedback surveys."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from pipelines.store import Store
from pipelines.surveys import (
    DEVICES,
    KINDS,
    VISITORS,
    Survey,
    definition_to_json,
    get_survey,
    list_surveys,
    parse_definition,
    save_survey,
    set_status,
)

_LOCALE_PREFIX = re.compile(r"^([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8}){0,3})=(.*)$", re.DOTALL)


@contextmanager
def _store() -> Iterator[Store]:
    """The CLI's store; a SurveyError (a ValueError) becomes `Error: …` and exit status 1."""
    from footfall import cli  # imported late: footfall.cli imports this module

    with cli._store() as store:
        yield store


def _link_base() -> str:
    from footfall.cli import _settings

    settings = _settings()
    return (settings.base_url or f"http://{settings.host}:{settings.port}").rstrip("/")


def _localized(values: tuple[str, ...], default_locale: str, name: str) -> dict[str, dict[str, str]]:
    """`vi=Text` (or bare `Text`, for the default language) -> {"vi": {name: "Text"}}."""
    texts: dict[str, dict[str, str]] = {}
    for value in values:
        match = _LOCALE_PREFIX.match(value)
        locale, text = (match.group(1), match.group(2)) if match else (default_locale, value)
        texts.setdefault(locale.lower().replace("_", "-"), {})[name] = text
    return texts


def _generic_texts(values: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """`vi.submit=Gửi` -> {"vi": {"submit": "Gửi"}}."""
    texts: dict[str, dict[str, str]] = {}
    for value in values:
        key, sep, text = value.partition("=")
        locale, dot, name = key.partition(".")
        if not sep or not dot:
            raise click.BadParameter(f"{value!r}: write LANG.NAME=TEXT, e.g. vi.submit=Gửi", param_hint="--text")
        texts.setdefault(locale.lower().replace("_", "-"), {})[name] = text
    return texts


def _trigger(value: str) -> dict[str, Any]:
    kind, _, argument = value.partition(":")
    return {"type": kind, "value": argument or None}


def _frequency(value: str) -> dict[str, Any]:
    if value == "once":
        return {"type": "once"}
    kind, _, days = value.partition(":")
    if kind != "days" or not days:
        raise click.BadParameter(f"{value!r}: use once or days:N", param_hint="--frequency")
    return {"type": "days", "days": days}


def _apply(data: dict[str, Any], options: dict[str, Any]) -> dict[str, Any]:
    """Merge command-line options into definition data (what was not given stays)."""
    given = {key: value for key, value in options.items() if value not in (None, ())}
    if "kind" in given:
        data["kind"] = given["kind"]
    if "default_locale" in given:
        data["default_locale"] = given["default_locale"].lower()
    locale = data.get("default_locale") or "en"
    texts: dict[str, dict[str, str]] = {loc: dict(values) for loc, values in (data.get("texts") or {}).items()}
    for name, option in (("question", "questions"), ("follow_up", "follow_up_questions"), ("thanks", "thanks")):
        for loc, values in _localized(given.get(option, ()), locale, name).items():
            texts.setdefault(loc, {}).update(values)
    for loc, values in _generic_texts(given.get("texts", ())).items():
        texts.setdefault(loc, {}).update(values)
    data["texts"] = texts
    targeting = dict(data.get("targeting") or {})
    if "path" in given and "path_regex" in given:
        raise click.UsageError("give --path or --path-regex, not both")
    if given.get("all_pages"):
        targeting.update(path_glob="", path_regex="")
    if "path" in given:
        targeting.update(path_glob=given["path"], path_regex="")
    if "path_regex" in given:
        targeting.update(path_regex=given["path_regex"], path_glob="")
    if given.get("any_device"):
        targeting["devices"] = []
    if "devices" in given:
        targeting["devices"] = list(given["devices"])
    if "visitors" in given:
        targeting["visitors"] = given["visitors"]
    data["targeting"] = targeting
    if "trigger" in given:
        data["trigger"] = _trigger(given["trigger"])
    if "sample" in given:
        data["sample_percent"] = given["sample"]
    if "frequency" in given:
        data["frequency"] = _frequency(given["frequency"])
    for option, key in (("starts", "starts"), ("ends", "ends")):
        if option in given:
            data[key] = given[option] or None
    if "follow_up" in given:
        data["follow_up"] = given["follow_up"]
    return data


def _describe(survey: Survey, base: str) -> str:
    d = survey.definition
    rule = (f"path ~ {d.targeting.path_regex}" if d.targeting.path_regex
            else f"path {d.targeting.path_glob}" if d.targeting.path_glob else "every page")
    devices = ",".join(d.targeting.devices) or "any device"
    dates = f"  {d.starts or '…'} to {d.ends or '…'}" if d.starts or d.ends else ""
    return (f"{survey.survey_id}  {survey.kind} v{survey.version}  {survey.status}  {rule}  {devices}  "
            f"visitors={d.targeting.visitors}  sample={d.sample_percent}%{dates}\n"
            f"    link: {base}/f/{survey.survey_id}?score=")


def _definition_options(command: Any) -> Any:
    options = [
        click.option("--question", "questions", multiple=True,
                     help="The question, as LANG=TEXT (e.g. vi=…) or TEXT for the default language. Repeatable."),
        click.option("--follow-up-question", "follow_up_questions", multiple=True,
                     help="The follow-up question (LANG=TEXT). Repeatable."),
        click.option("--thanks", multiple=True, help="The thank-you text (LANG=TEXT). Repeatable."),
        click.option("--text", "texts", multiple=True,
                     help="Any other text as LANG.NAME=TEXT: low, high, yes, no, submit, dismiss, placeholder."),
        click.option("--default-locale", help="Language for visitors whose language the survey lacks (new: en)."),
        click.option("--path", help="Show on pages whose path matches this glob, e.g. '/pricing*'."),
        click.option("--path-regex", help="Show on pages whose path matches this regular expression."),
        click.option("--device", "devices", multiple=True, type=click.Choice(DEVICES),
                     help="Show only on this device type. Repeatable (new: every device)."),
        click.option("--visitors", type=click.Choice(VISITORS), help="all, new or returning visitors (new: all)."),
        click.option("--trigger", help="delay:SECONDS, scroll:PERCENT, exit or event:NAME (new: delay:5)."),
        click.option("--sample", type=int, help="Show to this percentage of visitors, 1-100 (new: 100)."),
        click.option("--frequency", help="once, or days:N to ask again after N days (new: once)."),
        click.option("--from", "starts", help="First day, YYYY-MM-DD in the site's time zone."),
        click.option("--until", "ends", help="Last day, YYYY-MM-DD, inclusive."),
        click.option("--follow-up/--no-follow-up", default=None,
                     help="Ask the open follow-up question after the score (new: no)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


@click.group("surveys")
def surveys() -> None:
    """Feedback surveys: CSAT, NPS, CES, helpful and open text (docs/surveys.md)."""


@surveys.command("add")
@click.argument("site_id")
@click.option("--kind", type=click.Choice(KINDS), required=True, help="What the survey asks.")
@_definition_options
@click.option("--paused", is_flag=True, help="Create it paused.")
def surveys_add(site_id: str, kind: str, paused: bool, **options: Any) -> None:
    """Create a survey on SITE_ID; prints its id and the link for e-mails."""
    data = _apply({"kind": kind, "default_locale": options.get("default_locale") or "en"}, options)
    with _store() as store:
        survey = save_survey(store, site_id.lower(), parse_definition(data), status="paused" if paused else None)
    click.echo(f"Created survey {survey.survey_id} ({survey.kind}) on {survey.site_id}.\n"
               f"Link for e-mails and SMS: {_link_base()}/f/{survey.survey_id}?score=")


@surveys.command("list")
@click.argument("site_id")
def surveys_list(site_id: str) -> None:
    """List SITE_ID's surveys (newest version of each)."""
    with _store() as store:
        found = list_surveys(store, site_id)
    if not found:
        click.echo(f"No surveys on {site_id} yet: add one with `footfall surveys add {site_id} --kind nps`.")
    base = _link_base()
    for survey in found:
        click.echo(_describe(survey, base))


@surveys.command("show")
@click.argument("survey_id")
@click.option("--version", type=int, help="Show this version (default: the newest).")
def surveys_show(survey_id: str, version: int | None) -> None:
    """Print a survey as JSON."""
    with _store() as store:
        survey = get_survey(store, survey_id, version)
    if survey is None:
        raise click.ClickException(f"no survey {survey_id!r}{f' version {version}' if version else ''}")
    click.echo(json.dumps({
        "id": survey.survey_id, "site": survey.site_id, "version": survey.version, "status": survey.status,
        "created_at": survey.created_at.isoformat() if survey.created_at else None,
        "link": f"{_link_base()}/f/{survey.survey_id}?score=",
        "definition": definition_to_json(survey.definition),
    }, ensure_ascii=False, indent=2))


@surveys.command("edit")
@click.argument("survey_id")
@click.option("--kind", type=click.Choice(KINDS), help="Change what the survey asks (a new version).")
@_definition_options
@click.option("--all-pages", is_flag=True, help="Drop the path rule.")
@click.option("--any-device", is_flag=True, help="Drop the device rule.")
def surveys_edit(survey_id: str, **options: Any) -> None:
    """Change a survey. New texts or kind start a new version; other changes keep the version."""
    with _store() as store:
        current = get_survey(store, survey_id)
        if current is None:
            raise click.ClickException(f"no survey {survey_id!r}")
        data = _apply(definition_to_json(current.definition), options)
        survey = save_survey(store, current.site_id, parse_definition(data), survey_id)
    change = f"new version {survey.version}" if survey.version != current.version else f"version {survey.version}"
    click.echo(f"Saved survey {survey.survey_id} ({change}).")


def _set_status(survey_id: str, status: str) -> None:
    with _store() as store:
        survey = set_status(store, survey_id, status)
    click.echo(f"Survey {survey.survey_id} is {survey.status}.")


@surveys.command("pause")
@click.argument("survey_id")
def surveys_pause(survey_id: str) -> None:
    """Stop showing a survey and accepting its answers."""
    _set_status(survey_id, "paused")


@surveys.command("resume")
@click.argument("survey_id")
def surveys_resume(survey_id: str) -> None:
    """Show a paused survey again."""
    _set_status(survey_id, "active")
