"""GDPR export and erasure of what Idées holds about a person."""

from __future__ import annotations

from django.utils import timezone

from cocon.core.gdpr import erase_person, export_person
from cocon.ideas import services
from cocon.ideas.models import Comment, Follow, Idea, Review, Support


def test_export_and_erase(world, public_call, make_idea):
    usager = world["usager"]
    own = make_idea(public_call, author=usager, title="Une idée de l'usagère")
    other = make_idea(public_call, public=True)
    services.idea_support(other, user=usager)
    services.comment_add(other, author=usager, text="Je soutiens")
    services.reviews_assign(
        own, actor=world["animateur"], experts=[world["expert"]], due_on=timezone.localdate()
    )
    review = own.reviews.get()
    services.review_submit(
        review,
        actor=world["expert"],
        feasibility="easy",
        cost_band="none",
        impact="low",
        recommendation="retain",
        text="Facile",
    )
    data = export_person(usager)["ideas"]
    assert [i["title"] for i in data["ideas"]] == ["Une idée de l'usagère"]
    assert data["supports"] == [other.title]
    assert data["comments"][0]["text"] == "Je soutiens"
    usager_pk = usager.pk
    erase_person(usager)
    erase_person(world["expert"])
    other.refresh_from_db()
    assert other.support_count == 0 and not Support.objects.filter(user_id=usager_pk).exists()
    assert not Follow.objects.filter(user_id=usager_pk).exists()
    assert Idea.objects.get(pk=own.pk).author is None  # the idea stays, unsigned
    assert Comment.objects.get().author is None
    kept = Review.objects.get(pk=review.pk)
    assert kept.expert is None and kept.text == "Facile" and kept.expert_label
