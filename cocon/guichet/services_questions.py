"""Writes of the Guichet: questions asked from a counter to the referent network.

A counter agent of any organization asks a question (topic, organization asked, text,
urgency, optional PDF/photo attachments, the user's contact only when needed and
consented). It goes to the titular referents of that organization on that topic
(substitutes when every titular is absent), with a deadline counted in the target's
opening hours (`deadline_for`). The hourly job `questions_tick` reminds the current level
before the deadline, then escalates: substitutes when overdue, then the referents'
manager `reminder_hours` working hours later. The asking agent gets the answer and
records whether the user's need was met.

Every write runs in one transaction; bad input raises `ValidationError` with French
messages keyed by form field, before anything is written.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.core import history
from cocon.core.attachments import (
    attach_document,
    attach_photo,
    validate_document,
    validate_photo,
)
from cocon.core.notifications import Email, notify
from cocon.core.permissions import can
from cocon.guichet.models import Commitment, Message, Question, Referent
from cocon.lib.workdays import add_months, add_working_hours

#: How long the user's contact is kept after the answer (or withdrawal), in months; and
#: the backstop when a question is never answered.
CONTACT_KEEP_MONTHS = 3
CONTACT_BACKSTOP_MONTHS = 6
MAX_ATTACHMENTS = 5
Level = Question.Level
State = Question.State

__all__ = [
    "commitment_of",
    "deadline_for",
    "message_post",
    "need_record",
    "question_answer",
    "question_ask",
    "question_withdraw",
    "questions_tick",
    "recipients_for",
]


# --- deadlines ---------------------------------------------------------------------------
def commitment_of(organization) -> Commitment:
    """The organization's commitment, or the default one (48 working hours, urgent 8,
    Mon-Fri 8:30-12:00 / 13:30-17:00), unsaved."""
    try:
        return organization.guichet_commitment
    except Commitment.DoesNotExist:
        return Commitment(organization=organization, hours=48)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def _hours_for(commitment: Commitment, urgency: str) -> int:
    if urgency == Question.Urgency.URGENT:
        return commitment.urgent_hours or commitment.hours
    return commitment.hours


def deadline_for(*, target, urgency, asked_at, commitment: Commitment | None = None):
    """When the answer is due: the commitment's working hours (urgent or normal) counted
    in the target's opening hours, without weekends and French public holidays (and
    Alsace-Moselle ones when the target is set so)."""
    commitment = commitment or commitment_of(target)
    return add_working_hours(
        _local(asked_at),
        _hours_for(commitment, urgency),
        commitment.opening_hours(),
        alsace_moselle=commitment.alsace_moselle,
    )


def _reminder_window(commitment: Commitment, urgency: str) -> int:
    """Working hours before the deadline when the reminder goes (at most half the
    deadline, so that an urgent question is not reminded the moment it is asked); also
    the time the substitutes have before the manager is called in."""
    return max(1, min(commitment.reminder_hours or 8, _hours_for(commitment, urgency) // 2))


# --- who is told ---------------------------------------------------------------------------
def _referents(question) -> list[Referent]:
    return list(
        Referent.objects.filter(organization_id=question.target_id, topic_id=question.topic_id)
        .select_related("user", "manager")
        .order_by("rank", "id")
    )


def _unique(users) -> list:
    seen: dict[int, object] = {}
    for user in users:
        if user is not None and user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def recipients_for(question, level: int | None = None, *, today=None) -> list:
    """The people a question goes to at `level` (default: its current level): present
    titulars (else present substitutes); substitutes (else the managers); the managers
    named on the referents (else the substitutes, then the titulars). Nobody present at a
    level falls back to every referent, so that a question is never sent to no one."""
    level = question.level if level is None else level
    refs = _referents(question)
    present = [r for r in refs if not r.is_absent(today)]
    titulars = _unique(r.user for r in present if r.rank == Referent.Rank.TITULAR)
    substitutes = _unique(r.user for r in present if r.rank == Referent.Rank.SUBSTITUTE)
    managers = _unique(r.manager for r in refs)
    if level == Level.REFERENT:
        people = titulars or substitutes or managers
    elif level == Level.SUBSTITUTE:
        people = substitutes or managers
    else:
        people = managers or substitutes or titulars
    return people or _unique(r.user for r in refs)


def _url(question) -> str:
    return reverse("guichet:question_detail", args=[question.pk])


def _targets_with_referents(topic) -> list[str]:
    from cocon.territory.models import Organization

    return list(
        Organization.objects.filter(guichet_referents__topic=topic)
        .distinct()
        .order_by("name")
        .values_list("name", flat=True)
    )


# --- asking ------------------------------------------------------------------------------
def _is_pdf(upload) -> bool:
    name = (getattr(upload, "name", "") or "").lower()
    kind = (getattr(upload, "content_type", "") or "").lower()
    return name.endswith(".pdf") or kind == "application/pdf"


def _validate_uploads(attachments) -> list[str]:
    errors: list[str] = []
    uploads = [a for a in attachments or () if a]
    if len(uploads) > MAX_ATTACHMENTS:
        errors.append(_("Attach at most %(n)s files.") % {"n": MAX_ATTACHMENTS})
        return errors
    for upload in uploads:
        try:
            if _is_pdf(upload):
                validate_document(upload)
            else:
                validate_photo(upload)
        except ValidationError as exc:
            name = getattr(upload, "name", "") or "?"
            errors += [f"{name} : {message}" for message in exc.messages]
    return errors


def _asker_organization_id(asker):
    grants = asker.grants
    return grants.agent_organization_id


@transaction.atomic
def question_ask(
    *,
    asker,
    topic,
    target,
    text: str,
    urgency: str = Question.Urgency.NORMAL,
    place=None,
    appointment=None,
    contact: str = "",
    contact_consent: bool = False,
    attachments=(),
    now=None,
) -> Question:
    errors: dict[str, list[str]] = {}
    text = (text or "").strip()
    contact = (contact or "").strip()
    org_id = _asker_organization_id(asker)
    if org_id is None:
        raise ValidationError(_("Only an agent of an organization may ask the referent network."))
    if topic is None:
        errors["topic"] = [_("Choose the topic of the question.")]
    elif not topic.is_active:
        errors["topic"] = [_("This topic is no longer open to questions.")]
    if target is None:
        errors["target"] = [_("Choose the organization to ask.")]
    elif topic is not None and topic.territory_id != target.territory_id:
        errors["target"] = [_("This organization is not part of the topic's territory.")]
    if not text:
        errors["text"] = [_("Write the question.")]
    if urgency not in Question.Urgency.values:
        errors["urgency"] = [_("Choose the urgency.")]
    if contact and not contact_consent:
        errors["contact_consent"] = [
            _("Record the user's contact only with their consent: tick the box or clear it.")
        ]
    if appointment is not None:
        if appointment.organization_id != org_id:
            errors["appointment"] = [_("This appointment is not one of your organization.")]
        elif place is None:
            place = appointment.place
    if (
        place is not None
        and place.organization_id != org_id
        and not place.agents.filter(pk=asker.pk).exists()
    ):
        errors["place"] = [_("Choose a counter or bus stop where you work.")]
    upload_errors = _validate_uploads(attachments)
    if upload_errors:
        errors["attachments"] = upload_errors
    if (
        "topic" not in errors
        and "target" not in errors
        and not Referent.objects.filter(organization=target, topic=topic).exists()
    ):
        others = _targets_with_referents(topic)
        if others:
            message = _(
                "%(organization)s has no referent on “%(topic)s”. Organizations that "
                "answer on this topic: %(organizations)s."
            ) % {
                "organization": target.name,
                "topic": topic.name,
                "organizations": ", ".join(others),
            }
        else:
            message = _("No organization has a referent on “%(topic)s” yet.") % {
                "topic": topic.name
            }
        errors["target"] = [message]
    if errors:
        raise ValidationError(errors)

    now = now or timezone.now()
    commitment = commitment_of(target)
    question = Question.objects.create(
        territory_id=topic.territory_id,
        asker=asker,
        asker_organization_id=org_id,
        place=place,
        appointment=appointment,
        topic=topic,
        target=target,
        text=text,
        urgency=urgency,
        contact=contact,
        contact_consent_at=now if contact else None,
        contact_erase_on=(
            add_months(timezone.localdate(now), CONTACT_BACKSTOP_MONTHS) if contact else None
        ),
        asked_at=now,
        due_at=deadline_for(target=target, urgency=urgency, asked_at=now, commitment=commitment),
    )
    for upload in attachments or ():
        if upload:
            (attach_document if _is_pdf(upload) else attach_photo)(question, upload)
    history.record(question, action="asked", actor=asker, to_status=State.OPEN, at=now)
    recipients = recipients_for(question, today=timezone.localdate(now))
    notify(
        recipients,
        kind="guichet.question",
        title=_("New question on %(topic)s from %(organization)s")
        % {"topic": topic.name, "organization": question.asker_organization.name},
        body=text[:500],
        url=_url(question),
        obj=question,
        exclude=asker,
    )
    return question


# --- thread ------------------------------------------------------------------------------
def _check_writable(question) -> None:
    if question.state not in (State.OPEN, State.ANSWERED):
        raise ValidationError({"text": [_("This question is closed: the thread is read-only.")]})


@transaction.atomic
def message_post(*, question, author, text: str) -> Message:
    """A message in the thread; tells the other side (the asker, or the current level
    and the people of the answering side who already wrote)."""
    if not can(author, "guichet.write", question):
        raise PermissionDenied("guichet.write")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write a message.")]})
    _check_writable(question)
    message = Message.objects.create(question=question, author=author, text=text)
    history.record(question, action="message", actor=author)
    if author.pk == question.asker_id:
        writers = list(
            Message.objects.filter(question=question)
            .exclude(author_id=question.asker_id)
            .exclude(author__isnull=True)
            .select_related("author")
        )
        people = _unique([*recipients_for(question), *(m.author for m in writers)])
    else:
        people = [question.asker] if question.asker_id else []
    notify(
        people,
        kind="guichet.message",
        title=_("New message on the question #%(id)s (%(topic)s)")
        % {"id": question.pk, "topic": question.topic.name},
        body=text[:500],
        url=_url(question),
        obj=question,
        exclude=author,
    )
    return message


@transaction.atomic
def question_answer(*, question, author, text: str, now=None) -> Question:
    if not can(author, "guichet.answer", question):
        raise PermissionDenied("guichet.answer")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": [_("Write the answer.")]})
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.state != State.OPEN:
        raise ValidationError({"text": [_("This question is no longer awaiting an answer.")]})
    now = now or timezone.now()
    question.state = State.ANSWERED
    question.answer = text
    question.answered_at = now
    question.answered_by = author
    fields = ["state", "answer", "answered_at", "answered_by"]
    if question.contact:
        question.contact_erase_on = add_months(timezone.localdate(now), CONTACT_KEEP_MONTHS)
        fields.append("contact_erase_on")
    question.save(update_fields=fields)
    Message.objects.create(
        question=question, author=author, text=text, is_answer=True, created_at=now
    )
    history.record(
        question,
        action="answered",
        actor=author,
        from_status=State.OPEN,
        to_status=State.ANSWERED,
        data={"in_time": question.answered_in_time},
        at=now,
    )
    if question.asker_id:
        notify(
            [question.asker],
            kind="guichet.answer",
            title=_("Your question #%(id)s (%(topic)s) has an answer")
            % {"id": question.pk, "topic": question.topic.name},
            body=text[:500],
            url=_url(question),
            obj=question,
            default_email=Email.IMMEDIATE,
            exclude=author,
        )
    return question


@transaction.atomic
def need_record(*, question, user, met: bool, now=None) -> Question:
    """The asking agent records whether the user's need was met; the question closes."""
    if not can(user, "guichet.record_need", question):
        raise PermissionDenied("guichet.record_need")
    if met is None:
        raise ValidationError({"met": [_("Say whether the user's need was met.")]})
    if question.state not in (State.ANSWERED, State.CLOSED):
        raise ValidationError({"met": [_("Record the outcome once the question is answered.")]})
    now = now or timezone.now()
    previous = question.state
    question.need_met = bool(met)
    question.need_met_at = now
    question.state = State.CLOSED
    question.save(update_fields=["need_met", "need_met_at", "state"])
    history.record(
        question,
        action="need_recorded",
        actor=user,
        from_status=previous,
        to_status=State.CLOSED,
        data={"met": bool(met)},
        at=now,
    )
    return question


@transaction.atomic
def question_withdraw(*, question, user, now=None) -> Question:
    """The asker withdraws a question still awaiting an answer."""
    if not question.asker_id or question.asker_id != user.pk:
        raise PermissionDenied("guichet.withdraw")
    if question.state != State.OPEN:
        raise ValidationError(_("Only a question awaiting an answer can be withdrawn."))
    now = now or timezone.now()
    question.state = State.WITHDRAWN
    fields = ["state"]
    if question.contact:
        question.contact_erase_on = add_months(timezone.localdate(now), CONTACT_KEEP_MONTHS)
        fields.append("contact_erase_on")
    question.save(update_fields=fields)
    history.record(
        question,
        action="withdrawn",
        actor=user,
        from_status=State.OPEN,
        to_status=State.WITHDRAWN,
        at=now,
    )
    notify(
        recipients_for(question),
        kind="guichet.withdrawn",
        title=_("The question #%(id)s (%(topic)s) was withdrawn")
        % {"id": question.pk, "topic": question.topic.name},
        url=_url(question),
        obj=question,
        exclude=user,
    )
    return question


# --- the hourly job ------------------------------------------------------------------------
def erase_expired_contacts(today=None) -> int:
    today = today or timezone.localdate()
    return (
        Question.objects.filter(contact_erase_on__lte=today).exclude(contact="").update(contact="")
    )


def _remind(question, now) -> bool:
    # conditional update: one reminder, whatever the number of workers
    if not Question.objects.filter(
        pk=question.pk, state=State.OPEN, reminded_at__isnull=True
    ).update(reminded_at=now):
        return False
    history.record(question, action="reminded", actor_label="Cocon", at=now)
    notify(
        recipients_for(question, today=timezone.localdate(now)),
        kind="guichet.reminder",
        title=_("Reminder: the question #%(id)s (%(topic)s) is due on %(due)s")
        % {
            "id": question.pk,
            "topic": question.topic.name,
            "due": _local(question.due_at).strftime("%d/%m/%Y %H:%M"),
        },
        body=question.text[:500],
        url=_url(question),
        obj=question,
    )
    return True


def _escalate(question, now) -> bool:
    new_level = question.level + 1
    if not Question.objects.filter(pk=question.pk, state=State.OPEN, level=question.level).update(
        level=new_level, escalated_at=now
    ):
        return False
    previous = question.level
    question.level = new_level
    question.escalated_at = now
    history.record(
        question,
        action="escalated",
        actor_label="Cocon",
        data={"from_level": previous, "to_level": new_level},
        at=now,
    )
    notify(
        recipients_for(question, today=timezone.localdate(now)),
        kind="guichet.escalation",
        title=_("Overdue question #%(id)s (%(topic)s) escalated to you")
        % {"id": question.pk, "topic": question.topic.name},
        body=question.text[:500],
        url=_url(question),
        obj=question,
    )
    return True


def questions_tick(now=None) -> dict[str, int]:
    """Reminders, escalations and erasure of expired contacts. Idempotent: each
    reminder is sent once (`reminded_at`), each level is reached once (`level`), the
    manager level is the last."""
    now = now or timezone.now()
    local_now = _local(now)
    counts = {"reminded": 0, "escalated": 0, "contacts_erased": 0}
    commitments: dict[int, Commitment] = {}
    open_questions = (
        Question.objects.filter(state=State.OPEN)
        .filter(
            # not yet reminded and not yet due, or due and not at the last level
            Q(reminded_at__isnull=True, due_at__gt=now)
            | Q(due_at__lte=now, level__lt=Level.MANAGER)
        )
        .select_related("topic", "target__guichet_commitment")
        .order_by("due_at", "pk")
    )
    for question in open_questions.iterator(chunk_size=500):
        commitment = commitments.get(question.target_id)
        if commitment is None:
            commitment = commitments[question.target_id] = commitment_of(question.target)
        window = _reminder_window(commitment, question.urgency)
        opening = commitment.opening_hours()
        am = commitment.alsace_moselle
        with transaction.atomic():
            if question.due_at > now:
                if add_working_hours(local_now, window, opening, alsace_moselle=am) >= (
                    question.due_at
                ):
                    counts["reminded"] += _remind(question, now)
                continue
            if question.level == Level.REFERENT:
                counts["escalated"] += _escalate(question, now)
            elif question.level == Level.SUBSTITUTE and question.escalated_at is not None:
                step_end = add_working_hours(
                    _local(question.escalated_at), window, opening, alsace_moselle=am
                )
                if step_end <= now:
                    counts["escalated"] += _escalate(question, now)
    with transaction.atomic():
        counts["contacts_erased"] = erase_expired_contacts(timezone.localdate(now))
    return counts


def _register_jobs() -> None:
    from cocon.core.schedule import hourly

    hourly("guichet.questions_tick")(questions_tick)


_register_jobs()
