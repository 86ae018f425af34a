"""Writes of the white paper (livre blanc): introduction and conclusion, generation of
a new numbered version (a frozen HTML snapshot of the document), its PDF (rendered once
from the snapshot with WeasyPrint, then stored), publication, and the hand-over to the
élus by the inhabitants, which freezes the version and makes it public."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cocon.core import history
from cocon.core.schedule import hourly
from cocon.processes import selectors_white_paper as selectors
from cocon.processes.models import Process
from cocon.processes.models.white_paper import WhitePaper, WhitePaperVersion

TEXT_MAX = 20000
# WeasyPrint reads only the project's static files (see `static_url_fetcher`)
PDF_BASE_URL = "http://localhost/"


def white_paper_for(process: Process) -> WhitePaper:
    paper, _created = WhitePaper.objects.get_or_create(process=process)
    return paper


def white_paper_update(
    process: Process, *, actor, introduction: str, conclusion: str
) -> WhitePaper:
    introduction, conclusion = (introduction or "").strip(), (conclusion or "").strip()
    errors = {}
    if len(introduction) > TEXT_MAX:
        errors["introduction"] = _("At most 20,000 characters.")
    if len(conclusion) > TEXT_MAX:
        errors["conclusion"] = _("At most 20,000 characters.")
    if errors:
        raise ValidationError(errors)
    paper = white_paper_for(process)
    paper.introduction, paper.conclusion = introduction, conclusion
    paper.updated_at, paper.updated_by = timezone.now(), actor
    paper.save()
    return paper


def render_document(process: Process, paper: WhitePaper) -> str:
    """The document body (no page chrome), in the site's language: the snapshot."""
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "processes/white_paper/document.html", selectors.document_context(process, paper)
        )


def white_paper_generate(process: Process, *, actor, note: str = "") -> WhitePaperVersion:
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("At most 300 characters.")})
    paper = white_paper_for(process)
    html = render_document(process, paper)
    with transaction.atomic():
        # lock the paper: two generations at once still get different numbers
        WhitePaper.objects.select_for_update().filter(pk=paper.pk).first()
        last = paper.versions.aggregate(m=Max("number"))["m"] or 0
        version = WhitePaperVersion.objects.create(
            white_paper=paper, number=last + 1, html=html, note=note, created_by=actor
        )
        history.record(version, action="generated", actor=actor, to_status="draft")
    return version


def print_html(version: WhitePaperVersion) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(
            "processes/white_paper/print.html",
            {"version": version, "process": version.white_paper.process},
        )


def render_pdf(version: WhitePaperVersion) -> tuple[bytes, int]:
    from cocon.core.pdf import render_document

    document = render_document(print_html(version), base_url=PDF_BASE_URL)
    return document.write_pdf(), len(document.pages)


def white_paper_pdf(version: WhitePaperVersion) -> bytes:
    """The PDF of a version: rendered from the frozen HTML on the first request, stored,
    then always the same bytes."""
    stored = WhitePaperVersion.objects.filter(pk=version.pk).values_list("pdf", flat=True).first()
    if stored:
        return bytes(stored)
    data, pages = render_pdf(version)
    WhitePaperVersion.objects.filter(pk=version.pk, pdf__isnull=True).update(
        pdf=data, pdf_pages=pages
    )
    version.pdf_pages = pages
    return data


def white_paper_publish(version: WhitePaperVersion, *, actor, published: bool) -> None:
    if version.is_frozen and not published:
        raise ValidationError(
            _("This version was handed over to the élus: it stays public and cannot be changed.")
        )
    with transaction.atomic():
        WhitePaperVersion.objects.filter(pk=version.pk).update(published=published)
        version.published = published
        history.record(
            version,
            action="published" if published else "unpublished",
            actor=actor,
            to_status="published" if published else "draft",
        )


def white_paper_hand_over(
    version: WhitePaperVersion, *, actor, on: dt.date | None, by_label: str
) -> WhitePaperVersion:
    by_label = (by_label or "").strip()
    errors = {}
    if version.is_frozen:
        raise ValidationError(
            _("This version was already handed over to the élus on %(date)s.")
            % {"date": version.handed_to_elus_on.strftime("%d/%m/%Y")}
        )
    if on is None:
        errors["on"] = _("Give the date the white paper was handed over.")
    elif on > timezone.localdate():
        errors["on"] = _("The hand-over date cannot be in the future.")
    elif on < version.created_at.date() - dt.timedelta(days=1):
        errors["on"] = _("This version did not exist yet on that date.")
    if not by_label:
        errors["by_label"] = _(
            "Say who handed it over, e.g. « les habitants du comité de quartier »."
        )
    elif len(by_label) > 250:
        errors["by_label"] = _("At most 250 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        updated = WhitePaperVersion.objects.filter(
            pk=version.pk, handed_to_elus_on__isnull=True
        ).update(
            handed_to_elus_on=on,
            handed_by_label=by_label,
            handed_over_recorded_by=actor,
            published=True,
        )
        if not updated:  # handed over meanwhile by someone else
            raise ValidationError(_("This version was already handed over to the élus."))
        version.handed_to_elus_on, version.handed_by_label = on, by_label
        version.handed_over_recorded_by, version.published = actor, True
        history.record(
            version,
            action="handed_over",
            actor=actor,
            to_status="handed_over",
            public_text=_("Handed over to the élus by %(who)s.") % {"who": by_label},
        )
    return version


PDFS_PER_RUN = 3


@hourly("processes.white_paper_pdfs")
def render_missing_pdfs() -> int:
    """Render ahead the PDF of published versions that nobody downloaded yet (a big
    white paper takes tens of seconds: better in the worker than in a visitor's
    request). A few per run."""
    pending = list(
        WhitePaperVersion.objects.filter(published=True, pdf__isnull=True)
        .select_related("white_paper__process")
        .order_by("-created_at")[:PDFS_PER_RUN]
    )
    for version in pending:
        white_paper_pdf(version)
    return len(pending)
