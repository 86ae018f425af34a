"""Writes of the shared knowledge base: entries written from an answered question or
directly, edited, archived, used; the daily review of entries past their validity date.

Permissions are checked by the views (`guichet.to_knowledge`, `guichet.create_entry`,
`guichet.edit_entry`); these functions check the data: sources and validity date
required, the validity date not in the past when an entry is written or edited, one
entry per question, only answered questions. A `ValidationError` carries a message per
field and nothing is written.

Usage: `entry_use` is called when a counter agent clicks « Cette fiche m'a servi » on an
entry's page (an explicit POST, counted once per person, entry and day): opening an
entry from the results does not count, so browsing and curiosity do not inflate what
counters need."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.core import history, ratelimit
from cocon.core.notifications import notify
from cocon.core.schedule import daily
from cocon.guichet.models import KnowledgeEntry, KnowledgeUse, Question

FIELDS = ("question", "answer", "sources", "valid_until")


def _clean(*, question: str, answer: str, sources: str, valid_until, today: dt.date) -> dict:
    errors: dict[str, list[str]] = {}
    data = {
        "question": (question or "").strip(),
        "answer": (answer or "").strip(),
        "sources": (sources or "").strip(),
        "valid_until": valid_until,
    }
    if not data["question"]:
        errors["question"] = [_("Write the question the entry answers.")]
    elif len(data["question"]) > 500:
        errors["question"] = [_("The question must be 500 characters at most.")]
    if not data["answer"]:
        errors["answer"] = [_("Write the answer.")]
    if not data["sources"]:
        errors["sources"] = [
            _("Give at least one source: a text, a circular or a web page the answer rests on.")
        ]
    if valid_until is None:
        errors["valid_until"] = [_("Give the date until which the answer is valid.")]
    elif valid_until < today:
        errors["valid_until"] = [_("The validity date cannot be in the past.")]
    if errors:
        raise ValidationError(errors)
    return data


def _url(entry: KnowledgeEntry) -> str:
    return reverse("guichet:knowledge_entry", args=[entry.pk])


@transaction.atomic
def entry_create(
    *,
    author,
    organization,
    topic,
    question: str,
    answer: str,
    sources: str,
    valid_until,
    source_question: Question | None = None,
    today: dt.date | None = None,
) -> KnowledgeEntry:
    """A validated entry of `organization` on `topic`, owned by `author`."""
    data = _clean(
        question=question,
        answer=answer,
        sources=sources,
        valid_until=valid_until,
        today=today or timezone.localdate(),
    )
    if topic.territory_id != organization.territory_id:
        raise ValidationError({"topic": [_("Choose a topic of your territory.")]})
    now = timezone.now()
    try:
        with transaction.atomic():
            entry = KnowledgeEntry.objects.create(
                territory_id=organization.territory_id,
                organization=organization,
                topic=topic,
                owner=author,
                source_question=source_question,
                created_at=now,
                updated_at=now,
                **data,
            )
    except IntegrityError:
        raise ValidationError(_("This question has already become a knowledge entry.")) from None
    history.record(
        entry,
        action="created",
        actor=author,
        data={"question": source_question.pk} if source_question else {},
    )
    return entry


def entry_from_question(
    *,
    question: Question,
    author,
    question_text: str,
    answer: str,
    sources: str,
    valid_until,
    today: dt.date | None = None,
) -> KnowledgeEntry:
    """The entry made of an answered question (its target organization and topic): one
    per question."""
    if question.answered_at is None:
        raise ValidationError(_("Only an answered question can become a knowledge entry."))
    if KnowledgeEntry.objects.filter(source_question=question).exists():
        raise ValidationError(_("This question has already become a knowledge entry."))
    return entry_create(
        author=author,
        organization=question.target,
        topic=question.topic,
        question=question_text,
        answer=answer,
        sources=sources,
        valid_until=valid_until,
        source_question=question,
        today=today,
    )


@transaction.atomic
def entry_update(
    entry: KnowledgeEntry,
    *,
    actor,
    question: str,
    answer: str,
    sources: str,
    valid_until,
    topic=None,
    today: dt.date | None = None,
) -> KnowledgeEntry:
    """Change an entry; the review request is cleared (the owner is told again when it
    expires again)."""
    data = _clean(
        question=question,
        answer=answer,
        sources=sources,
        valid_until=valid_until,
        today=today or timezone.localdate(),
    )
    if topic is not None and topic.territory_id != entry.territory_id:
        raise ValidationError({"topic": [_("Choose a topic of your territory.")]})
    changed = [name for name in FIELDS if getattr(entry, name) != data[name]]
    for name, value in data.items():
        setattr(entry, name, value)
    if topic is not None and topic.pk != entry.topic_id:
        entry.topic = topic
        changed.append("topic")
    entry.updated_at = timezone.now()
    entry.review_requested_at = None
    entry.save()
    history.record(entry, action="updated", actor=actor, data={"fields": changed})
    return entry


@transaction.atomic
def entry_archive(entry: KnowledgeEntry, *, actor) -> KnowledgeEntry:
    """Take an entry out of the search (kept, with its history)."""
    if not entry.is_archived:
        entry.is_archived = True
        entry.updated_at = timezone.now()
        entry.save(update_fields=["is_archived", "updated_at"])
        history.record(entry, action="archived", actor=actor)
    return entry


def entry_use(*, entry: KnowledgeEntry, user) -> bool:
    """`user` says the entry served them: counted once per person, entry and day.
    True when counted."""
    ident = f"{user.pk}:{entry.pk}"
    if ratelimit.hit("guichet.knowledge_use", ident, window=86400) > 1:
        return False
    profile = getattr(user, "agent_profile", None)
    with transaction.atomic():
        KnowledgeEntry.objects.filter(pk=entry.pk).update(usage_count=F("usage_count") + 1)
        KnowledgeUse.objects.create(
            entry=entry, organization_id=profile.organization_id if profile else None
        )
    return True


def review_expired(*, today: dt.date | None = None) -> int:
    """Tell each owner, once, about their live entries past their validity date; an
    entry is told about again only after it has been updated. Returns the number of
    entries flagged."""
    today = today or timezone.localdate()
    now = timezone.now()
    due = list(
        KnowledgeEntry.objects.filter(
            is_archived=False,
            valid_until__lt=today,
            review_requested_at__isnull=True,
            owner__isnull=False,
            owner__is_active=True,
        ).select_related("owner")
    )
    by_owner: dict[int, list[KnowledgeEntry]] = {}
    for entry in due:
        by_owner.setdefault(entry.owner_id, []).append(entry)
    with transaction.atomic():
        for entries in by_owner.values():
            owner = entries[0].owner
            notify(
                [owner],
                kind="guichet.knowledge_review",
                title=_("Knowledge entries to review: %(n)s") % {"n": len(entries)},
                body="\n".join(f"- {e.question[:120]}" for e in entries[:20]),
                url=reverse("guichet:knowledge_review"),
            )
        KnowledgeEntry.objects.filter(pk__in=[e.pk for e in due]).update(review_requested_at=now)
    return len(due)


@daily("guichet.knowledge_review", hour=6)
def knowledge_review():
    return review_expired()
