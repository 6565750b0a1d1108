"""The survey pages of a site: the list, the editor (owners; viewers see the settings read-only),
pause / resume, and (dashboard/pages/survey_results.py) each survey's results.

Saving goes through pipelines.surveys.save_survey, which starts a new version when the question
changes (kind, any text, the follow-up) and otherwise updates the current one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard import survey_info
from dashboard.choice_labels import period_choices
from dashboard.i18n import N_, gettext
from dashboard.pages import survey_results
from dashboard.params import ParamError, View, read_view, site_today
from dashboard.survey_forms import (
    EXTRA,
    KIND_NAMES,
    LANGUAGE_NAMES,
    PATH_MODES,
    TEXT_NAMES,
    TRIGGERS,
    SurveyForm,
    blank_values,
    parse_form,
    read_values,
    values_of,
)
from dashboard.web import SiteAccess, page_locale, public_origin, redirect, render, require_site, store_of
from pipelines.members import Role
from pipelines.queries.survey_results import results
from pipelines.store.base import Store
from pipelines.surveys import (
    DEVICES,
    KINDS,
    TEXT_FIELDS,
    VISITORS,
    Survey,
    SurveyError,
    builtin_texts,
    get_survey,
    list_surveys,
    save_survey,
    set_status,
)

SAVED = {"new": N_("Survey created."), "version": N_("Saved as a new version: results keep versions apart."),
         "same": N_("Saved."), "paused": N_("Survey paused."), "active": N_("Survey resumed.")}
MAIN_TEXTS = ("question", "follow_up", "thanks")  # the rest (buttons, scale labels) folds away
DEVICE_TYPE_NAMES = {"desktop": N_("Desktop"), "mobile": N_("Mobile"), "tablet": N_("Tablet")}
VISITOR_NAMES = {"all": N_("All visitors"), "new": N_("New visitors"), "returning": N_("Returning visitors")}
TRIGGER_NAMES = {"delay": N_("After a delay"), "scroll": N_("At a scroll depth"),
                 "exit": N_("On exit intent (desktop)"), "event": N_("After a custom event")}
PATH_MODE_NAMES = {"all": N_("Every page"), "glob": N_("Pages matching a pattern (* is any text)"),
                   "regex": N_("Pages matching a regular expression")}


@dataclass(frozen=True)
class Row:
    survey: Survey
    state: str
    title: str
    answers: int
    response_rate: float | None
    score: str


def view_of(request: Request) -> View:
    try:
        return read_view(request.query_params)
    except ParamError as error:
        raise HTTPException(400, str(error)) from None


def survey_rows(store: Store, access: SiteAccess, first: date, last: date, locale: str) -> list[Row]:
    site = access.site
    today = site_today(site.timezone)
    rows = []
    for survey in list_surveys(store, site.site_id):
        total = results(store, site.site_id, survey.survey_id, first, last, site.timezone).total
        rows.append(Row(survey, survey_info.state(survey, today), survey_info.title(survey), total.answers,
                        total.response_rate, survey_info.score_text(locale, survey.kind, total.score)))
    return rows


async def survey_list(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"])
    view = view_of(request)
    site = access.site
    first, last = view.days(site_today(site.timezone))
    locale = page_locale(request, access.user)
    rows = await run_in_threadpool(survey_rows, store_of(request), access, first, last, locale)
    return render(request, "surveys.html", {
        "user": access.user, "access": access, "tab": "surveys", "rows": rows, "view": view, "first": first,
        "last": last, "periods": period_choices(view.period), "kind_names": KIND_NAMES,
        "state_names": survey_info.STATE_NAMES, "base": f"/s/{site.site_id}/surveys",
        "notice": SAVED.get(request.query_params.get("saved", ""), ""),
    })


async def _survey(request: Request, access: SiteAccess) -> Survey:
    """The survey named in the URL, if it belongs to this site (404 otherwise)."""
    survey = await run_in_threadpool(get_survey, store_of(request), request.path_params["survey_id"])
    if survey is None or survey.site_id != access.site.site_id:
        raise HTTPException(404, N_("No such survey on this site."))
    return survey


def _editor(request: Request, access: SiteAccess, form: SurveyForm, survey: Survey | None, status: int = 200
            ) -> Response:
    locale = page_locale(request, access.user)
    errors = {name: gettext(locale, message, **params) for name, (message, params) in form.errors.items()}
    base = f"/s/{access.site.site_id}/surveys"
    return render(request, "survey_edit.html", {
        "user": access.user, "access": access, "tab": "surveys", "survey": survey, "form": form, "v": form.values,
        "errors": errors, "base": base, "action": f"{base}/{survey.survey_id}/edit" if survey else f"{base}/new",
        "readonly": not access.is_owner, "kinds": KIND_NAMES, "text_fields": TEXT_FIELDS, "text_names": TEXT_NAMES,
        "main_texts": MAIN_TEXTS, "more_texts": tuple(name for name in TEXT_FIELDS if name not in MAIN_TEXTS),
        "language_names": LANGUAGE_NAMES, "extra": EXTRA, "path_modes": PATH_MODES,
        "path_mode_names": PATH_MODE_NAMES, "devices": DEVICES, "device_names": DEVICE_TYPE_NAMES,
        "visitors": VISITORS, "visitor_names": VISITOR_NAMES, "triggers": TRIGGERS, "trigger_names": TRIGGER_NAMES,
        "link": survey_info.link(public_origin(request), survey) if survey else "",
        "title": survey_info.title(survey) if survey else "", "builtins": _builtins(form),
        "error_locales": {name.split(".")[1] for name in form.errors if name.startswith("text.")},
    }, status)


def _builtins(form: SurveyForm) -> dict[str, dict[str, str]]:
    """The built-in texts of the form's kind, per language: shown greyed in empty text fields."""
    kind = form.values["kind"] if form.values["kind"] in KINDS else "csat"
    return {loc: {name: getattr(builtin_texts(kind, loc), name) for name in TEXT_FIELDS} for loc in form.languages}


async def new_survey(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    if request.method == "GET":
        return _editor(request, access, SurveyForm(blank_values()), None)
    form = await _posted(request)
    definition = parse_form(form)
    if definition is None:
        return _editor(request, access, form, None, 400)
    status = "paused" if form.values["paused"] else "active"
    try:
        survey = await run_in_threadpool(save_survey, store_of(request), access.site.site_id, definition, None, status)
    except SurveyError as problem:
        form.error("", N_("The survey could not be saved: %(reason)s"), reason=str(problem))
        return _editor(request, access, form, None, 400)
    return redirect(f"/s/{access.site.site_id}/surveys/{survey.survey_id}?saved=new")


async def edit_survey(request: Request) -> Response:
    """Owners edit; viewers see the same form, read-only (GET only)."""
    role = Role.VIEWER if request.method == "GET" else Role.OWNER
    access = await require_site(request, request.path_params["site_id"], role)
    current = await _survey(request, access)
    if request.method == "GET":
        return _editor(request, access, SurveyForm(values_of(current.definition)), current)
    form = await _posted(request)
    definition = parse_form(form)
    if definition is None:
        return _editor(request, access, form, current, 400)
    try:
        saved = await run_in_threadpool(save_survey, store_of(request), access.site.site_id, definition,
                                        current.survey_id)
    except SurveyError as problem:
        form.error("", N_("The survey could not be saved: %(reason)s"), reason=str(problem))
        return _editor(request, access, form, current, 400)
    change = "version" if saved.version != current.version else "same"
    return redirect(f"/s/{access.site.site_id}/surveys/{saved.survey_id}?saved={change}")


async def _posted(request: Request) -> SurveyForm:
    async with request.form(max_files=0, max_fields=200, max_part_size=64 * 1024) as form:
        return SurveyForm(read_values(form))


async def change_status(request: Request) -> Response:
    """Pause or resume (POST action=pause|resume)."""
    access = await require_site(request, request.path_params["site_id"], Role.OWNER)
    current = await _survey(request, access)
    async with request.form(max_files=0, max_fields=5) as form:
        action = form.get("action")
    status = {"pause": "paused", "resume": "active"}.get(action if isinstance(action, str) else "")
    if status is None:
        raise HTTPException(400, N_("Pause or resume: nothing else can be done here."))
    await run_in_threadpool(set_status, store_of(request), current.survey_id, status)
    return redirect(f"/s/{access.site.site_id}/surveys/{current.survey_id}?saved={status}")


async def results_page(request: Request) -> Response:
    access = await require_site(request, request.path_params["site_id"])
    survey = await _survey(request, access)
    context: dict[str, Any] = {"notice": SAVED.get(request.query_params.get("saved", ""), "")}
    return await survey_results.page(request, access, survey, view_of(request), context)


def routes() -> list[Route]:
    return [
        Route("/s/{site_id}/surveys", survey_list, methods=["GET"]),
        Route("/s/{site_id}/surveys/new", new_survey, methods=["GET", "POST"]),
        Route("/s/{site_id}/surveys/{survey_id}", results_page, methods=["GET"]),
        Route("/s/{site_id}/surveys/{survey_id}/edit", edit_survey, methods=["GET", "POST"]),
        Route("/s/{site_id}/surveys/{survey_id}/status", change_status, methods=["POST"]),
    ]
