"""What Idées holds about a person: their ideas (with versions), supports, follows,
comments, reviews given as a démineur and decisions signed.

On erasure, ideas and comments stay (they belong to the public debate and to the
decisions taken on them) but lose the link to the person; supports and follows are
deleted (counters corrected); reviews and decisions are work records signed by
function and lose the link to the person.
"""

from __future__ import annotations

from django.db.models import F

from cocon.core.gdpr import register_eraser, register_exporter
from cocon.ideas.models import Comment, Follow, Idea, Review, Support


@register_exporter("ideas")
def export_ideas(user):
    return {
        "ideas": [
            {
                "title": i.title,
                "problem": i.problem,
                "proposal": i.proposal,
                "benefit": i.benefit,
                "state": i.state,
                "submitted_on": i.created_at.isoformat(),
                "versions": [
                    {"number": v.number, "title": v.title, "date": v.created_at.isoformat()}
                    for v in i.versions.all()
                ],
            }
            for i in Idea.objects.filter(author=user).prefetch_related("versions")
        ],
        "ideas_submitted_on_behalf_of_users": Idea.objects.filter(submitted_by=user).count(),
        "supports": list(Support.objects.filter(user=user).values_list("idea__title", flat=True)),
        "follows": list(Follow.objects.filter(user=user).values_list("idea__title", flat=True)),
        "comments": [
            {"idea": c.idea.title, "text": c.text, "date": c.created_at.isoformat()}
            for c in Comment.objects.filter(author=user).select_related("idea")
        ],
        "reviews_given": [
            {"idea": r.idea.title, "recommendation": r.recommendation, "text": r.text}
            for r in Review.objects.filter(expert=user).select_related("idea")
        ],
    }


@register_eraser("ideas")
def erase_ideas(user):
    supported = list(Support.objects.filter(user=user).values_list("idea_id", flat=True))
    followed = list(Follow.objects.filter(user=user).values_list("idea_id", flat=True))
    Support.objects.filter(user=user).delete()
    Follow.objects.filter(user=user).delete()
    for idea_id in supported:
        Idea.objects.filter(pk=idea_id).update(support_count=F("support_count") - 1)
    for idea_id in followed:
        Idea.objects.filter(pk=idea_id).update(follower_count=F("follower_count") - 1)
    Idea.objects.filter(author=user).update(author=None)
    Idea.objects.filter(submitted_by=user).update(submitted_by=None)
    Idea.objects.filter(decided_by=user).update(decided_by=None)
    for idea in Idea.objects.filter(coauthors=user):
        idea.coauthors.remove(user)
    Comment.objects.filter(author=user).update(author=None)
    # reviews are signed by function (expert_label): the opinion stays, without the person
    Review.objects.filter(expert=user, submitted_at__isnull=True).delete()
    Review.objects.filter(expert=user).update(expert=None)
