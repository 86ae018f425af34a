"""Results of the Baromètre: the staff dashboard, the public list and page, the PDF report.

All figures come from `selectors.barometer_results` (one engine run, cached). The public
page and the PDF only use published waves and public actions, and never show a figure
computed from fewer than `min_cell` respondents (the engine suppresses them). A barometer
the person may not see is a 404.
"""

from __future__ import annotations

import math

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cocon.barometer import charts, selectors
from cocon.barometer.models import Barometer
from cocon.core.pdf import html_to_pdf
from cocon.core.permissions import can


def _quadrant_labels() -> dict[str, str]:
    return {
        "concentrate_here": _("Concentrate here"),
        "keep_up": _("Keep up the good work"),
        "low_priority": _("Low priority"),
        "possible_overkill": _("Possible overkill"),
    }


def _barometer(pk: int) -> Barometer:
    return get_object_or_404(
        Barometer.objects.select_related("service__organization__territory"), pk=pk
    )


def _links(barometer: Barometer) -> list[tuple[str, str]]:
    """Links to the pages of the other parts of the barometer, when they exist."""
    out = []
    for name, label in (
        ("barometer:construction", _("Construction of the criteria")),
        ("barometer:criteria", _("Criteria")),
        ("barometer:indicators", _("Technical indicators")),
        ("barometer:wave_list", _("Waves and responses")),
        ("barometer:actions", _("Action plan")),
    ):
        try:
            out.append((reverse(name, args=[barometer.pk]), label))
        except NoReverseMatch:
            continue
    return out


def _charts(results: selectors.BarometerResults) -> dict:
    """SVG charts and their data of the latest wave with answers, and of the evolution."""
    labels = _quadrant_labels()
    latest = results.latest
    out: dict = {"matrix": None, "gap": None, "evolution": None, "matrix_rows": [], "gap_rows": []}
    if latest is None:
        return out
    rows = [
        cr
        for cr in latest.criteria
        if cr.importance and cr.importance.get("percent") is not None and not cr.suppressed
    ]
    if rows:
        percents = [cr.importance["percent"] for cr in rows]
        means = [cr.stats["mean"] for cr in rows]
        x_max = max(10.0, math.ceil(max(percents) / 10) * 10)
        out["matrix"] = charts.scatter(
            [(cr.criterion.wording, cr.importance["percent"], cr.stats["mean"]) for cr in rows],
            title=_("Importance and performance of the criteria, %(wave)s")
            % {"wave": latest.wave.label},
            x_label=_("Importance (share of the explained overall score, %)"),
            y_label=_("Mean score (0–10)"),
            x_split=sum(percents) / len(percents),
            y_split=sum(means) / len(means),
            quadrant_labels=(
                labels["possible_overkill"],
                labels["keep_up"],
                labels["low_priority"],
                labels["concentrate_here"],
            ),
            x_max=x_max,
        )
        out["matrix_rows"] = [(cr, labels.get(cr.quadrant or "", "—")) for cr in rows]
    gaps = [cr for cr in latest.criteria if cr.gap is not None]
    if gaps:
        out["gap"] = charts.bars(
            [(cr.criterion.wording, cr.gap["perceived"], cr.gap["technical"]) for cr in gaps],
            title=_("Perceived and technical quality, %(wave)s") % {"wave": latest.wave.label},
            series=(_("Perceived (share satisfied)"), _("Technical (0–100)")),
        )
        out["gap_rows"] = gaps
    answered = [w for w in results.waves if w.n]
    if len(answered) > 1:
        evolution = [
            (c.wording, [w.criteria[i].stats and w.criteria[i].stats.get("mean") for w in answered])
            for i, c in enumerate(results.criteria)
        ]
        out["evolution"] = charts.lines(
            [w.wave.label for w in answered],
            evolution,
            title=_("Mean score of each criterion over the waves"),
        )
        out["evolution_waves"] = answered
        out["evolution_rows"] = evolution
    return out


def _context(request, barometer: Barometer, *, public: bool) -> dict:
    results = selectors.barometer_results(barometer, public=public)
    return {
        "barometer": barometer,
        "results": results,
        "charts": _charts(results),
        "quadrant_labels": _quadrant_labels(),
        "public": public,
    }


@login_required
@require_GET
def dashboard(request, pk: int):
    barometer = _barometer(pk)
    if not can(request.user, "barometer.view_staff", barometer):
        raise Http404
    context = _context(request, barometer, public=False)
    context["links"] = _links(barometer)
    context["may_manage"] = can(request.user, "barometer.manage", barometer)
    return render(request, "barometer/results/dashboard.html", context)


@require_GET
def public_list(request):
    barometers = list(selectors.published_barometers())
    return render(request, "barometer/results/public_list.html", {"barometers": barometers})


def _public_barometer(request, pk: int) -> Barometer:
    barometer = _barometer(pk)
    if not can(request.user, "barometer.view_public", barometer):
        raise Http404
    return barometer


@require_GET
def public(request, pk: int):
    barometer = _public_barometer(request, pk)
    context = _context(request, barometer, public=True)
    return render(request, "barometer/results/public.html", context)


def render_pdf(request, barometer: Barometer) -> bytes:
    context = _context(request, barometer, public=True)
    html = render_to_string("barometer/results/pdf.html", context, request=request)
    return html_to_pdf(html, base_url=request.build_absolute_uri("/"))


@require_GET
def pdf(request, pk: int):
    barometer = _public_barometer(request, pk)
    response = HttpResponse(render_pdf(request, barometer), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="barometre-{barometer.slug}.pdf"'
    return response


urlpatterns: list = [
    path("espace/barometres/<int:pk>/", dashboard, name="dashboard"),
    path("barometres/", public_list, name="public_list"),
    path("barometres/<int:pk>/", public, name="public"),
    path("barometres/<int:pk>/rapport.pdf", pdf, name="pdf"),
]
