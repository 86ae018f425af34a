"""Pages of the access-to-rights follow-up of a mobile legal team, under
/guichet/droits/<team>/. Only the team's members and its named supervisors reach them
(`guichet.legal_read`); supervisors read, members write (`guichet.legal_write`, else 403).

Anyone else — platform administrators included, and anonymous visitors — gets the
ordinary 404 page, exactly as for a team or case that does not exist, and the attempt is
written to the team's access journal (`CaseReadLog(allowed=False)`). Every display of a
case page to an allowed person is logged too (`allowed=True`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cocon.core.forms import add_service_errors, bound_data
from cocon.core.paging import CappedPaginator
from cocon.core.permissions import can
from cocon.guichet import selectors_legal as selectors
from cocon.guichet import services_legal as services
from cocon.guichet.forms_legal import (
    ActionForm,
    CaseFilterForm,
    CaseForm,
    CloseForm,
    IndicatorForm,
    TrainingForm,
)
from cocon.guichet.models import CaseAction, Indicator
from cocon.lib.indicators import FUNCTIONS

PAGE_SIZE = 50
HOME_CASES = 20
HOME_TRAININGS = 5


def _team(request, slug: str, *, number: str | None = None):
    """The team, if the person may read it. Otherwise a 404 — the same as for a team that
    does not exist — after logging the attempt (with the case when there is one)."""
    team = selectors.team_by_slug(slug)
    if team is None:
        raise Http404
    if not can(request.user, "guichet.legal_read", team):
        case = selectors.case_of(team, number) if number else None
        services.log_read(
            team=team, case=case, user=request.user, allowed=False, path=request.get_full_path()
        )
        raise Http404
    team.may_write = can(request.user, "guichet.legal_write", team)
    return team


def _require_write(request, team) -> None:
    if not team.may_write:
        raise PermissionDenied("guichet.legal_write")


def _page(request, rows):
    return CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _save(form, write) -> bool:
    """Run a service in a transaction; its errors go next to the form's fields."""
    if not form.is_valid():
        return False
    try:
        with transaction.atomic():
            form.result = write(form.cleaned_data)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return False
    return True


@require_http_methods(["GET", "HEAD"])
def home(request, slug):
    team = _team(request, slug)
    open_cases = list(selectors.open_cases(team)[:HOME_CASES])
    return render(
        request,
        "guichet/legal/home.html",
        {
            "team": team,
            "open_cases": open_cases,
            "counts": selectors.counts(team),
            "indicators": services.indicators_compute(team),
            "trainings": list(selectors.trainings(team)[:HOME_TRAININGS]),
        },
    )


@require_http_methods(["GET", "HEAD"])
def case_list(request, slug):
    team = _team(request, slug)
    form = CaseFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.cases(team, state=data.get("state") or "", number=data.get("number") or "")
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "guichet/legal/cases.html",
        {"team": team, "form": form, "page": _page(request, rows), "query": query.urlencode()},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def case_new(request, slug):
    team = _team(request, slug)
    _require_write(request, team)
    form = CaseForm(bound_data(request))
    if request.method == "POST" and _save(
        form,
        lambda d: services.case_open(
            team=team,
            author=request.user,
            number=d["number"],
            situation=d["situation"],
            contact=d["contact"],
            contact_consent=d["contact_consent"],
            opened_on=d["opened_on"],
        ),
    ):
        case = form.result
        messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
        return redirect("guichet:legal_case", slug=team.slug, number=case.number)
    return render(request, "guichet/legal/case_new.html", {"team": team, "form": form})


@require_http_methods(["GET", "HEAD", "POST"])
def case_detail(request, slug, number):
    team = _team(request, slug, number=number)
    case = selectors.case_of(team, number)
    if case is None:
        raise Http404
    form = ActionForm(bound_data(request))
    if request.method == "POST":
        _require_write(request, team)
        if _save(
            form,
            lambda d: services.action_record(
                case=case,
                author=request.user,
                kind=d["kind"],
                date=d["date"],
                outcome=d["outcome"],
                outcome_on=d["outcome_on"],
                note=d["note"],
            ),
        ):
            messages.success(request, _("Action recorded."))
            return redirect("guichet:legal_case", slug=team.slug, number=case.number)
    services.log_read(
        team=team, case=case, user=request.user, allowed=True, path=request.get_full_path()
    )
    return render(
        request,
        "guichet/legal/case.html",
        {
            "team": team,
            "case": case,
            "actions": list(selectors.actions_of(case)),
            "form": form,
            "close_form": CloseForm(),
        },
    )


@require_POST
def case_close(request, slug, number):
    team = _team(request, slug, number=number)
    case = selectors.case_of(team, number)
    if case is None:
        raise Http404
    _require_write(request, team)
    form = CloseForm(request.POST)
    case.team = team
    if _save(
        form, lambda d: services.case_close(case, author=request.user, closed_on=d["closed_on"])
    ):
        messages.success(
            request,
            _("Case closed: its contact is erased; the case will be erased on %(date)s.")
            % {"date": case.erase_on.strftime("%d/%m/%Y")},
        )
        return redirect("guichet:legal_case", slug=team.slug, number=case.number)
    services.log_read(
        team=team, case=case, user=request.user, allowed=True, path=request.get_full_path()
    )
    return render(
        request,
        "guichet/legal/case.html",
        {
            "team": team,
            "case": case,
            "actions": list(selectors.actions_of(case)),
            "form": ActionForm(),
            "close_form": form,
        },
        status=400,
    )


@require_http_methods(["GET", "HEAD"])
def trainings(request, slug):
    team = _team(request, slug)
    return render(
        request,
        "guichet/legal/trainings.html",
        {"team": team, "page": _page(request, selectors.trainings(team))},
    )


@require_http_methods(["GET", "HEAD", "POST"])
def training_new(request, slug):
    team = _team(request, slug)
    _require_write(request, team)
    form = TrainingForm(bound_data(request))
    if request.method == "POST" and _save(
        form,
        lambda d: services.training_record(
            team=team,
            author=request.user,
            title=d["title"],
            date=d["date"],
            partner=d["partner"],
            attendees=d["attendees"],
            attendance=d["attendance"],
        ),
    ):
        messages.success(request, _("Training session recorded."))
        return redirect("guichet:legal_trainings", slug=team.slug)
    return render(request, "guichet/legal/training_new.html", {"team": team, "form": form})


def _formula_help() -> dict:
    return {
        "functions": FUNCTIONS,
        "kinds": CaseAction.Kind.choices,
        "outcomes": CaseAction.Outcome.choices,
        "examples": [
            ('count(kind="recours_gracieux")', _("Number of recours gracieux")),
            (
                'percent(cases(kind="recours_gracieux", outcome="obtained"), '
                'cases(kind="recours_gracieux"))',
                _("Share of the cases with a recours gracieux where the right was obtained"),
            ),
            (
                'median_days(kind="recours_contentieux")',
                _("Median days from a case's first action to its first recours contentieux"),
            ),
        ],
    }


@require_http_methods(["GET", "HEAD", "POST"])
def indicators(request, slug):
    team = _team(request, slug)
    form = IndicatorForm(bound_data(request))
    if request.method == "POST":
        _require_write(request, team)
        if _save(form, lambda d: services.indicator_define(team=team, **d)):
            messages.success(request, _("Indicator saved."))
            return redirect("guichet:legal_indicators", slug=team.slug)
    return render(
        request,
        "guichet/legal/indicators.html",
        {
            "team": team,
            "indicators": services.indicators_compute(team),
            "form": form,
            "help": _formula_help(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def indicator_edit(request, slug, pk):
    team = _team(request, slug)
    indicator = get_object_or_404(Indicator, team=team, pk=pk)
    _require_write(request, team)
    initial = {
        "name": indicator.name,
        "definition": indicator.definition,
        "formula": indicator.formula,
        "target": indicator.target,
    }
    form = IndicatorForm(bound_data(request), initial=initial)
    if request.method == "POST" and _save(
        form, lambda d: services.indicator_update(indicator, **d)
    ):
        messages.success(request, _("Indicator saved."))
        return redirect("guichet:legal_indicators", slug=team.slug)
    return render(
        request,
        "guichet/legal/indicator_edit.html",
        {"team": team, "indicator": indicator, "form": form, "help": _formula_help()},
    )


@require_POST
def indicator_delete(request, slug, pk):
    team = _team(request, slug)
    indicator = get_object_or_404(Indicator, team=team, pk=pk)
    _require_write(request, team)
    services.indicator_delete(indicator)
    messages.success(request, _("Indicator deleted."))
    return redirect("guichet:legal_indicators", slug=team.slug)


@require_http_methods(["GET", "HEAD"])
def access_log(request, slug):
    team = _team(request, slug)
    refused = request.GET.get("refused") == "1"
    return render(
        request,
        "guichet/legal/access_log.html",
        {
            "team": team,
            "refused": refused,
            "page": _page(request, selectors.read_log(team, refused_only=refused)),
            "query": "refused=1" if refused else "",
        },
    )


NUMBER = "<str:number>"
urlpatterns = [
    path("droits/<slug:slug>/", home, name="legal_home"),
    path("droits/<slug:slug>/dossiers/", case_list, name="legal_cases"),
    path("droits/<slug:slug>/nouveau-dossier/", case_new, name="legal_case_new"),
    path(f"droits/<slug:slug>/dossiers/{NUMBER}/", case_detail, name="legal_case"),
    path(f"droits/<slug:slug>/dossiers/{NUMBER}/cloturer/", case_close, name="legal_case_close"),
    path("droits/<slug:slug>/formations/", trainings, name="legal_trainings"),
    path("droits/<slug:slug>/nouvelle-formation/", training_new, name="legal_training_new"),
    path("droits/<slug:slug>/indicateurs/", indicators, name="legal_indicators"),
    path("droits/<slug:slug>/indicateurs/<int:pk>/", indicator_edit, name="legal_indicator"),
    path(
        "droits/<slug:slug>/indicateurs/<int:pk>/supprimer/",
        indicator_delete,
        name="legal_indicator_delete",
    ),
    path("droits/<slug:slug>/journal/", access_log, name="legal_access_log"),
]
