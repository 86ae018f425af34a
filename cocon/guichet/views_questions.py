"""Pages of the Guichet polyvalent: questions from the counter to the referent network.

Ask (any agent), my questions (the asker), the referents' inbox, one question with its
thread, its attachments and its forms (message, answer, need met, withdraw). A question
the person may not see is a 404; one they see but may not act on answers 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cocon.core import history
from cocon.core.attachments import attachments_of
from cocon.core.forms import add_service_errors, bound_data, bound_files
from cocon.core.paging import CappedPaginator
from cocon.core.permissions import can, require
from cocon.guichet import selectors_questions as selectors
from cocon.guichet import services_questions as services
from cocon.guichet.forms_questions import AnswerForm, AskForm, MessageForm, NeedForm
from cocon.guichet.models import Appointment, KnowledgeEntry, Place, Question
from cocon.territory import selectors as territory_selectors

PAGE_SIZE = 50


def _territory_id(user) -> int | None:
    org_id = user.grants.agent_organization_id
    if org_id is not None:
        org = territory_selectors.organization_by_id(org_id)
        if org is not None:
            return org.territory_id
    territory = territory_selectors.current_territory()
    return territory.pk if territory else None


def _question_or_404(user, pk) -> Question:
    question = get_object_or_404(
        Question.objects.select_related(
            "topic", "target", "asker", "asker_organization", "place", "answered_by"
        ),
        pk=pk,
    )
    if not can(user, "guichet.view_question", question):
        raise Http404("question not found")
    return question


def _prefill(request, organization_id) -> dict:
    initial: dict = {}
    appointment_id = request.GET.get("appointment", "")
    if appointment_id.isdigit():
        appointment = Appointment.objects.filter(
            pk=int(appointment_id), organization_id=organization_id
        ).first()
        if appointment is not None:
            initial["appointment"] = appointment.pk
            initial["place"] = appointment.place_id
    place_id = request.GET.get("place", "")
    if place_id.isdigit() and Place.objects.filter(pk=int(place_id), is_active=True).exists():
        initial["place"] = int(place_id)
    return initial


@login_required
@require_http_methods(["GET", "POST"])
def question_ask(request):
    require(request.user, "guichet.ask")
    organization_id = request.user.grants.agent_organization_id
    if organization_id is None:
        raise PermissionDenied("guichet.ask")
    territory_id = _territory_id(request.user)
    pairs = selectors.askable_pairs(territory_id)
    form = AskForm(
        bound_data(request),
        bound_files(request),
        territory_id=territory_id,
        organization_id=organization_id,
        user=request.user,
        pairs=pairs,
        initial=_prefill(request, organization_id),
    )
    # entries of the knowledge base close to the question, while it is typed (htmx)
    form.fields["text"].widget.attrs.update(
        {
            "hx-get": reverse("guichet:knowledge_suggest"),
            "hx-trigger": "input changed delay:500ms",
            "hx-target": "#knowledge-suggestions",
            "hx-swap": "innerHTML",
            "hx-sync": "this:replace",
            "aria-controls": "knowledge-suggestions",
        }
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = services.question_ask(
                asker=request.user,
                topic=data["topic"],
                target=data["target"],
                text=data["text"],
                urgency=data["urgency"],
                place=data.get("place"),
                appointment=data.get("appointment"),
                contact=data.get("contact", ""),
                contact_consent=data.get("contact_consent", False),
                attachments=data.get("attachments") or (),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your question is sent. An answer is due by %(due)s.")
                % {"due": timezone.localtime(question.due_at).strftime("%d/%m/%Y %H:%M")},
            )
            return redirect("guichet:question_detail", pk=question.pk)
    return render(
        request,
        "guichet/questions/ask.html",
        {"form": form, "pairs": pairs},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def question_mine(request):
    require(request.user, "guichet.ask")
    paginator = CappedPaginator(selectors.questions_asked_by(request.user), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    now = timezone.now()
    questions = list(page.object_list)
    for question in questions:
        question.late = question.is_overdue(now)
    return render(
        request,
        "guichet/questions/mine.html",
        {"page": page, "questions": questions, "paginator": paginator},
    )


@login_required
@require_GET
def question_inbox(request):
    if selectors.inbox_q(request.user) is None:
        raise PermissionDenied("guichet.answer")
    show_all = request.GET.get("tout") == "1"
    now = timezone.now()
    paginator = CappedPaginator(
        selectors.inbox_for(request.user, open_only=not show_all, now=now), PAGE_SIZE
    )
    page = paginator.get_page(request.GET.get("page"))
    questions = list(page.object_list)
    for question in questions:
        question.late = question.is_overdue(now)
    return render(
        request,
        "guichet/questions/inbox.html",
        {"page": page, "questions": questions, "show_all": show_all, "paginator": paginator},
    )


def _detail_context(request, question, **forms) -> dict:
    user = request.user
    writable = question.state in (Question.State.OPEN, Question.State.ANSWERED)
    may_answer = question.state == Question.State.OPEN and can(user, "guichet.answer", question)
    may_need = question.state == Question.State.ANSWERED and can(
        user, "guichet.record_need", question
    )
    entry = KnowledgeEntry.objects.filter(source_question=question).only("pk").first()
    return {
        "question": question,
        "knowledge_entry": entry,
        "may_to_knowledge": entry is None and can(user, "guichet.to_knowledge", question),
        "thread": list(selectors.thread_of(question)),
        "attachments": list(attachments_of(question)),
        "events": list(history.history_of(question).order_by("created_at", "pk")),
        "late": question.is_overdue(),
        "is_asker": question.asker_id == user.pk,
        "may_write": writable and can(user, "guichet.write", question),
        "may_answer": may_answer,
        "may_need": may_need,
        "may_withdraw": question.asker_id == user.pk and question.state == Question.State.OPEN,
        "message_form": forms.get("message_form") or MessageForm(prefix="message"),
        "answer_form": forms.get("answer_form") or AnswerForm(prefix="answer"),
        "need_form": forms.get("need_form") or NeedForm(prefix="need"),
    }


@login_required
@require_GET
def question_detail(request, pk):
    question = _question_or_404(request.user, pk)
    return render(request, "guichet/questions/detail.html", _detail_context(request, question))


def _post(request, pk, form_class, prefix, rule, action, success):
    question = _question_or_404(request.user, pk)
    require(request.user, rule, question)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            action(question, form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("guichet:question_detail", pk=question.pk)
    question.refresh_from_db()
    context = _detail_context(request, question, **{f"{prefix}_form": form})
    return render(request, "guichet/questions/detail.html", context, status=400)


@login_required
@require_POST
def question_message(request, pk):
    return _post(
        request,
        pk,
        MessageForm,
        "message",
        "guichet.write",
        lambda q, data: services.message_post(question=q, author=request.user, text=data["text"]),
        _("Your message is sent."),
    )


@login_required
@require_POST
def question_answer(request, pk):
    return _post(
        request,
        pk,
        AnswerForm,
        "answer",
        "guichet.answer",
        lambda q, data: services.question_answer(
            question=q, author=request.user, text=data["text"]
        ),
        _("Your answer is sent to the asking agent."),
    )


@login_required
@require_POST
def question_need(request, pk):
    return _post(
        request,
        pk,
        NeedForm,
        "need",
        "guichet.record_need",
        lambda q, data: services.need_record(question=q, user=request.user, met=data["met"]),
        _("Thank you: the outcome is recorded."),
    )


@login_required
@require_POST
def question_withdraw(request, pk):
    question = _question_or_404(request.user, pk)
    if question.asker_id != request.user.pk:
        raise PermissionDenied("guichet.withdraw")
    try:
        services.question_withdraw(question=question, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The question is withdrawn."))
    return redirect("guichet:question_detail", pk=question.pk)


@login_required
@require_GET
def question_attachment(request, pk, attachment_pk):
    question = _question_or_404(request.user, pk)
    attachment = get_object_or_404(attachments_of(question), pk=attachment_pk)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.mime_type,
        as_attachment=attachment.mime_type == "application/pdf",
        filename=attachment.alt if attachment.mime_type == "application/pdf" else None,
    )
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("questions/poser/", question_ask, name="question_ask"),
    path("questions/mes-questions/", question_mine, name="question_mine"),
    path("questions/a-traiter/", question_inbox, name="question_inbox"),
    path("questions/<int:pk>/", question_detail, name="question_detail"),
    path("questions/<int:pk>/message/", question_message, name="question_message"),
    path("questions/<int:pk>/repondre/", question_answer, name="question_answer"),
    path("questions/<int:pk>/besoin/", question_need, name="question_need"),
    path("questions/<int:pk>/retirer/", question_withdraw, name="question_withdraw"),
    path(
        "questions/<int:pk>/pieces/<int:attachment_pk>/",
        question_attachment,
        name="question_attachment",
    ),
]
