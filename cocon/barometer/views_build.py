"""Construction of a Baromètre: the staff list of barometers, creation and settings, the
public first-round questionnaire and its aggregation, technical criteria, the crossing
into the final list of criteria, technical indicator values and the action plan.

Thin views: permissions through `core.permissions`, writes through `services_build`. A
barometer the person may not see is a 404; one they see but may not change answers 403.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cocon.barometer import selectors
from cocon.barometer import services_build as services
from cocon.barometer.forms_build import (
    ActionForm,
    BarometerCreateForm,
    BarometerSettingsForm,
    CriterionCreateForm,
    CriterionForm,
    FirstRoundForm,
    IndicatorImportForm,
    IndicatorValueForm,
    TechnicalCriterionForm,
)
from cocon.barometer.models import (
    Action,
    ActionStatus,
    Barometer,
    Criterion,
    IndicatorValue,
    TechnicalCriterion,
)
from cocon.core import history, ratelimit
from cocon.core.forms import add_service_errors, bound_data, bound_files
from cocon.core.permissions import can, grants_of, require
from cocon.territory.models import Commune

FIRST_ROUND_LIMIT_PER_DEVICE = 10


_add_errors = add_service_errors


def _barometer(request, pk: int, rule: str = "barometer.view_staff") -> Barometer:
    """The barometer, 404 if the person may not see it, 403 if they may not `rule`."""
    barometer = get_object_or_404(Barometer.objects.select_related("service__organization"), pk=pk)
    if not can(request.user, "barometer.view_staff", barometer):
        raise Http404
    require(request.user, rule, barometer)
    return barometer


def _url_or_none(name: str, pk: int) -> str | None:
    """Pages of the other families (dashboard, waves), if they are installed."""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return None


def _dashboard_url(barometer: Barometer) -> str | None:
    return _url_or_none("barometer:dashboard", barometer.pk)


def _context(request, barometer: Barometer, **extra) -> dict:
    return {
        "barometer": barometer,
        "dashboard_url": _dashboard_url(barometer),
        "waves_url": _url_or_none("barometer:wave_list", barometer.pk),
        "may_manage": can(request.user, "barometer.manage", barometer),
        "may_contribute": can(request.user, "barometer.contribute", barometer),
        **extra,
    }


# --- list, creation, settings --------------------------------------------------------------
@login_required
def staff_list(request):
    """The barometers of the person's organizations (every one for platform admins)."""
    require(request.user, "barometer.list_staff")
    barometers = list(selectors.staff_barometers(grants_of(request.user)))
    for barometer in barometers:
        barometer.dashboard_url = _dashboard_url(barometer)
    return render(
        request,
        "barometer/build/list.html",
        {
            "barometers": barometers,
            "may_create": bool(services.managed_services(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request):
    require(request.user, "barometer.list_staff")
    choices = services.managed_services(request.user)
    if not choices:
        raise PermissionDenied("barometer.create")
    form = BarometerCreateForm(bound_data(request), services=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            barometer = services.barometer_create(
                actor=request.user,
                service=data["service"],
                title=data["title"],
                intro=data["intro"],
                threshold=data["threshold"],
                min_cell=data["min_cell"],
                trim=data["trim"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The barometer was created."))
            return redirect("barometer:construction", barometer.pk)
    return render(request, "barometer/build/create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    barometer = _barometer(request, pk, "barometer.manage")
    form = BarometerSettingsForm(bound_data(request), instance=barometer)
    if request.method == "POST" and form.is_valid():
        try:
            services.barometer_update(
                Barometer.objects.get(pk=barometer.pk),
                actor=request.user,
                **{k: form.cleaned_data[k] for k in services.SETTINGS_FIELDS},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("barometer:construction", barometer.pk)
    barometer.refresh_from_db()
    return render(request, "barometer/build/edit.html", _context(request, barometer, form=form))


# --- construction overview and first round -------------------------------------------------
@login_required
def construction(request, pk: int):
    """Where the construction stands: first round, technical criteria, final list."""
    barometer = _barometer(request, pk)
    active = barometer.criteria.filter(is_active=True).count()
    return render(
        request,
        "barometer/build/construction.html",
        _context(
            request,
            barometer,
            n_answers=barometer.first_round_answers.count(),
            n_technical=barometer.technical_criteria.count(),
            n_active=active,
            warning=services.criteria_count_warning(active),
            first_round_url=reverse("barometer:first_round", args=[barometer.pk]),
        ),
    )


@login_required
def topics(request, pk: int):
    """The first-round answers grouped by topic, with their verbatims."""
    barometer = _barometer(request, pk)
    topic_list, answers = services.first_round_topics(barometer)
    return render(
        request,
        "barometer/build/topics.html",
        _context(request, barometer, topics=topic_list, n_answers=answers),
    )


def _first_round_limited(request) -> bool:
    return ratelimit.public_post_limited(
        request,
        "barometer-first-round",
        per_address=settings.PUBLIC_FORM_RATE_PER_HOUR,
        per_device=FIRST_ROUND_LIMIT_PER_DEVICE,
    )


@require_http_methods(["GET", "POST"])
def first_round(request, pk: int):
    """Public: anyone names up to five things that matter to them in this service."""
    barometer = get_object_or_404(Barometer.objects.select_related("service__organization"), pk=pk)
    if not barometer.first_round_open:
        raise Http404
    communes = Commune.objects.filter(
        territory_id=barometer.service.organization.territory_id
    ).order_by("name")
    form = FirstRoundForm(bound_data(request), communes=communes)
    context = {"barometer": barometer, "form": form}
    template, status = "barometer/build/first_round.html", 200
    if _first_round_limited(request):
        form.is_valid()
        form.add_error(
            None,
            _(
                "Too many answers were sent from this connection in the last hour. What you "
                "typed is kept below: please try again later."
            ),
        )
        status = 429
    elif request.method == "POST" and form.is_valid():
        if form.cleaned_data.get("website"):
            raise PermissionDenied("honeypot")
        try:
            services.first_round_submit(
                barometer=barometer, items=form.items(), commune=form.cleaned_data["commune"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            template = "barometer/build/first_round_thanks.html"
    response = render(request, template, context, status=status)
    return ratelimit.remember_device(request, response)


# --- technical criteria --------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def technical(request, pk: int, tc_pk: int | None = None):
    """The technical criteria listed by the service's agents; add or edit one."""
    barometer = _barometer(request, pk)
    instance = None
    if tc_pk is not None:
        instance = get_object_or_404(TechnicalCriterion, pk=tc_pk, barometer=barometer)
    if request.method == "POST":
        require(request.user, "barometer.contribute", barometer)
    form = TechnicalCriterionForm(bound_data(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.technical_criterion_save(
                actor=request.user,
                barometer=barometer,
                instance=TechnicalCriterion.objects.get(pk=tc_pk) if tc_pk else None,
                **{k: form.cleaned_data[k] for k in services.TECHNICAL_FIELDS},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The technical criterion was saved."))
            return redirect("barometer:technical", barometer.pk)
    items = barometer.technical_criteria.select_related("proposed_by")
    return render(
        request,
        "barometer/build/technical.html",
        _context(request, barometer, form=form, items=items, editing=instance),
    )


@login_required
@require_POST
def technical_delete(request, pk: int, tc_pk: int):
    barometer = _barometer(request, pk)
    require(request.user, "barometer.contribute", barometer)
    instance = get_object_or_404(TechnicalCriterion, pk=tc_pk, barometer=barometer)
    services.technical_criterion_delete(instance, actor=request.user)
    messages.success(
        request, _("The technical criterion « %(name)s » was deleted.") % {"name": instance.name}
    )
    return redirect("barometer:technical", barometer.pk)


# --- final list of criteria (crossing) -----------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def criteria(request, pk: int):
    """The crossing screen: users' topics beside technical criteria, the final list."""
    barometer = _barometer(request, pk)
    if request.method == "POST":
        require(request.user, "barometer.manage", barometer)
    topic_list, answers = services.first_round_topics(barometer)
    technical_qs = barometer.technical_criteria.all()
    form = CriterionCreateForm(bound_data(request), topics=topic_list, technical=technical_qs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            criterion = services.criterion_create(
                actor=request.user,
                barometer=barometer,
                code=data["code"],
                wording=data["wording"],
                theme=data["theme"],
                topic=form.topics.get(data["topic"]) if data["topic"] else None,
                technical=data["technical"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request, _("The criterion « %(w)s » was added.") % {"w": criterion.wording}
            )
            return redirect("barometer:criteria", barometer.pk)
    items = list(barometer.criteria.select_related("technical_source"))
    used_sources = {c.technical_source_id for c in items}
    used_codes = {c.code for c in items}
    active = sum(1 for c in items if c.is_active)
    return render(
        request,
        "barometer/build/criteria.html",
        _context(
            request,
            barometer,
            form=form,
            items=items,
            topics=topic_list,
            n_answers=answers,
            technical_items=[(t, t.pk in used_sources) for t in technical_qs],
            used_codes=used_codes,
            n_active=active,
            warning=services.criteria_count_warning(active),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def criterion_edit(request, pk: int, criterion_pk: int):
    barometer = _barometer(request, pk, "barometer.manage")
    criterion = get_object_or_404(Criterion, pk=criterion_pk, barometer=barometer)
    form = CriterionForm(bound_data(request), instance=criterion)
    if request.method == "POST" and form.is_valid():
        try:
            services.criterion_update(
                Criterion.objects.select_related("barometer", "technical_source").get(
                    pk=criterion.pk
                ),
                actor=request.user,
                **{k: form.cleaned_data[k] for k in services.CRITERION_FIELDS},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The criterion was saved."))
            return redirect("barometer:criteria", barometer.pk)
    criterion.refresh_from_db()
    return render(
        request,
        "barometer/build/criterion_edit.html",
        _context(request, barometer, form=form, criterion=criterion),
    )


@login_required
@require_POST
def criterion_move(request, pk: int, criterion_pk: int):
    """Move up/down, or (de)activate, with plain buttons (no script needed)."""
    barometer = _barometer(request, pk, "barometer.manage")
    criterion = get_object_or_404(Criterion, pk=criterion_pk, barometer=barometer)
    op = request.POST.get("op")
    try:
        if op in ("up", "down"):
            services.criterion_move(criterion, actor=request.user, up=op == "up")
        elif op in ("activate", "deactivate"):
            services.criterion_update(criterion, actor=request.user, is_active=op == "activate")
        else:
            messages.error(request, _("Unknown operation."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    url = reverse("barometer:criteria", args=[barometer.pk])
    return redirect(f"{url}#criterion-{criterion.pk}")


# --- technical indicator values ------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def indicators(request, pk: int):
    """Values of the technical indicators per period: entry form and CSV import."""
    barometer = _barometer(request, pk)
    if request.method == "POST":
        require(request.user, "barometer.contribute", barometer)
    measured = barometer.criteria.exclude(indicator_name="")
    form = IndicatorValueForm(
        request.POST if request.POST.get("form") == "value" else None, criteria=measured
    )
    import_form = IndicatorImportForm(
        bound_data(request) if request.POST.get("form") == "import" else None,
        bound_files(request) if request.POST.get("form") == "import" else None,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            replaced = services.indicator_value_set(
                actor=request.user,
                criterion=data["criterion"],
                period=data["period"],
                value=data["value"],
                comment=data["comment"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if replaced:
                messages.success(request, _("The value replaced the one entered for this period."))
            else:
                messages.success(request, _("The value was saved."))
            return redirect("barometer:indicators", barometer.pk)
    if import_form.is_bound and import_form.is_valid():
        upload = import_form.cleaned_data["file"]
        try:
            result = services.indicator_import(
                actor=request.user,
                barometer=barometer,
                content=upload.read(services.CSV_MAX_BYTES + 1),
            )
        except ValidationError as exc:
            _add_errors(import_form, exc)
        else:
            messages.success(
                request,
                _("%(n)s values imported, %(r)s replaced a value of the same period.")
                % {"n": result.created + len(result.replaced), "r": len(result.replaced)},
            )
            if result.replaced:
                messages.info(
                    request, _("Replaced: %(list)s.") % {"list": ", ".join(result.replaced)}
                )
            return redirect("barometer:indicators", barometer.pk)
    rows = list(
        measured.prefetch_related(
            Prefetch(
                "indicator_values",
                queryset=IndicatorValue.objects.select_related("entered_by").order_by(
                    "-period_start"
                ),
            )
        )
    )
    return render(
        request,
        "barometer/build/indicators.html",
        _context(request, barometer, form=form, import_form=import_form, rows=rows),
    )


# --- action plan ---------------------------------------------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def actions(request, pk: int):
    """The action plan, late actions flagged; managers add actions."""
    barometer = _barometer(request, pk)
    if request.method == "POST":
        require(request.user, "barometer.manage", barometer)
    form = ActionForm(bound_data(request), barometer=barometer)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_create(
                actor=request.user,
                barometer=barometer,
                **{k: form.cleaned_data[k] for k in services.ACTION_FIELDS},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The action was added."))
            return redirect("barometer:actions", barometer.pk)
    today = timezone.localdate()
    items = list(barometer.actions.select_related("criterion", "from_wave"))
    for item in items:
        item.overdue = bool(
            item.due_on
            and item.due_on < today
            and item.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
        )
    return render(
        request,
        "barometer/build/actions.html",
        _context(
            request,
            barometer,
            form=form,
            items=items,
            n_overdue=sum(1 for i in items if i.overdue),
            may_add=can(request.user, "barometer.manage", barometer)
            and barometer.criteria.exists(),
        ),
    )


def _labelled(events) -> list:
    """History events with the labels of their statuses."""
    labels = dict(ActionStatus.choices)
    events = list(events)
    for event in events:
        event.from_label = labels.get(event.from_status, event.from_status)
        event.to_label = labels.get(event.to_status, event.to_status)
    return events


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request, pk: int, action_pk: int):
    barometer = _barometer(request, pk)
    action = get_object_or_404(Action, pk=action_pk, barometer=barometer)
    if request.method == "POST":
        require(request.user, "barometer.manage", barometer)
    form = ActionForm(bound_data(request), instance=action, barometer=barometer)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(
                Action.objects.select_related("barometer").get(pk=action.pk),
                actor=request.user,
                **{k: form.cleaned_data[k] for k in services.ACTION_FIELDS},
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The action was saved."))
            return redirect("barometer:actions", barometer.pk)
    action.refresh_from_db()
    return render(
        request,
        "barometer/build/action_edit.html",
        _context(
            request,
            barometer,
            form=form,
            action=action,
            events=_labelled(history.history_of(action)),
        ),
    )


urlpatterns: list = [
    path("espace/barometres/", staff_list, name="staff_list"),
    path("espace/barometres/nouveau/", create, name="create"),
    path("espace/barometres/<int:pk>/reglages/", edit, name="edit"),
    path("espace/barometres/<int:pk>/construction/", construction, name="construction"),
    path("espace/barometres/<int:pk>/ce-qui-compte/", topics, name="topics"),
    path("espace/barometres/<int:pk>/criteres-techniques/", technical, name="technical"),
    path(
        "espace/barometres/<int:pk>/criteres-techniques/<int:tc_pk>/supprimer/",
        technical_delete,
        name="technical_delete",
    ),
    path(
        "espace/barometres/<int:pk>/criteres-techniques/<int:tc_pk>/",
        technical,
        name="technical_edit",
    ),
    path("espace/barometres/<int:pk>/criteres/", criteria, name="criteria"),
    path(
        "espace/barometres/<int:pk>/criteres/<int:criterion_pk>/",
        criterion_edit,
        name="criterion_edit",
    ),
    path(
        "espace/barometres/<int:pk>/criteres/<int:criterion_pk>/ordre/",
        criterion_move,
        name="criterion_move",
    ),
    path("espace/barometres/<int:pk>/indicateurs/", indicators, name="indicators"),
    path("espace/barometres/<int:pk>/actions/", actions, name="actions"),
    path("espace/barometres/<int:pk>/actions/<int:action_pk>/", action_edit, name="action_edit"),
    path("barometres/<int:pk>/ce-qui-compte/", first_round, name="first_round"),
]
