"""What the Guichet holds about a person.

Questions: the questions a person asked and the ones they answered, without the user's
contact (it is the user's data, not the agent's). On erasure the questions stay (the
referent network's figures stay true; `asker` and `answered_by` become empty with the
account) and the users' contacts kept on the person's questions are cleared."""

from __future__ import annotations

from cocon.core.gdpr import register_eraser, register_exporter


# --- questions ---------------------------------------------------------------------------
@register_exporter("guichet_questions")
def export_questions(user):
    from cocon.guichet.models import Message, Question

    def row(q):
        return {
            "id": q.pk,
            "topic": q.topic.name,
            "organization_asked": q.target.name,
            "asked_at": q.asked_at.isoformat(),
            "urgency": q.urgency,
            "state": q.state,
            "question": q.text,
            "answer": q.answer,
            "answered_at": q.answered_at.isoformat() if q.answered_at else None,
            "need_met": q.need_met,
        }

    asked = Question.objects.filter(asker=user).select_related("topic", "target")
    answered = Question.objects.filter(answered_by=user).select_related("topic", "target")
    written = Message.objects.filter(author=user).order_by("created_at", "pk")
    return {
        "asked": [row(q) for q in asked.order_by("asked_at", "pk")],
        "answered": [row(q) for q in answered.order_by("asked_at", "pk")],
        "messages": [
            {"question": m.question_id, "date": m.created_at.isoformat(), "text": m.text}
            for m in written
        ],
    }


@register_eraser("guichet_questions")
def erase_questions(user):
    from cocon.guichet.models import Question

    Question.objects.filter(asker=user).exclude(contact="").update(contact="")


# --- network, knowledge base, log, legal team --------------------------------------------
@register_exporter("guichet_network")
def export_network(user):
    """The person's referent roles and absences, the knowledge entries they own, the
    number of appointments they logged per month (the log has no user data: the count is
    what concerns the agent), and the legal teams they belong to or supervise. The cases
    and the read log are the team's records about the people it follows, not the agent's:
    they are not exported here (the team's access journal is)."""
    from django.db.models import Count
    from django.db.models.functions import TruncMonth

    from cocon.guichet.models import Appointment, KnowledgeEntry, LegalTeam, Referent

    referents = Referent.objects.filter(user=user).select_related("organization", "topic")
    entries = KnowledgeEntry.objects.filter(owner=user).select_related("topic")
    months = (
        Appointment.objects.filter(agent=user)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return {
        "referent_of": [
            {
                "organization": r.organization.name,
                "topic": r.topic.name,
                "rank": r.rank,
                "absent_until": r.absent_until.isoformat() if r.absent_until else None,
            }
            for r in referents.order_by("pk")
        ],
        "knowledge_entries_owned": [
            {
                "id": e.pk,
                "topic": e.topic.name,
                "question": e.question,
                "valid_until": e.valid_until.isoformat(),
            }
            for e in entries.order_by("pk")
        ],
        "appointments_logged_per_month": [
            {"month": row["month"].strftime("%Y-%m"), "count": row["n"]} for row in months
        ],
        "legal_teams": sorted(
            {t.name for t in LegalTeam.objects.filter(members=user)}
            | {t.name for t in LegalTeam.objects.filter(supervisors=user)}
        ),
    }
