"""The shared moderation mechanism (cocon.core.moderation), exercised on ideas and
comments: report, hide with a reason the author sees, restore, dismiss, log."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cocon.core import moderation
from cocon.core.models import AbuseFlag, ModerationEvent, Notification
from cocon.ideas import services
from cocon.ideas.models import Comment
from tests.ideas.conftest import fr_raw as fr


@pytest.fixture
def comment(world, public_call, make_idea):
    idea = make_idea(public_call, public=True)
    return services.comment_add(idea, author=world["usager"], text="Un commentaire injurieux")


def test_report_once_per_person(world, comment):
    moderation.flag(comment, reporter=world["agent"], reason="insult", text="Grossier")
    with pytest.raises(ValidationError) as caught:
        moderation.flag(comment, reporter=world["agent"], reason="spam")
    assert fr("You have already reported this content; moderators will look at it.") in str(
        caught.value
    )
    moderation.flag(comment, reporter=world["manager"], reason="spam")
    assert Comment.objects.get(pk=comment.pk).flag_count == 2
    with pytest.raises(ValidationError):
        moderation.flag(comment, reporter=world["expert"], reason="not-a-reason")
    assert AbuseFlag.objects.count() == 2
    assert set(AbuseFlag.objects.values_list("organization_id", flat=True)) == {world.org_a.pk}


def test_hide_needs_a_reason_and_tells_the_author(world, comment):
    moderation.flag(comment, reporter=world["agent"], reason="insult")
    with pytest.raises(ValidationError):
        services.moderate(comment, actor=world["animateur"], action="hide", reason=" ")
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    services.moderate(comment, actor=world["animateur"], action="hide", reason="Propos injurieux")
    comment.refresh_from_db()
    assert comment.is_hidden and comment.hidden_reason == "Propos injurieux"
    assert comment.flag_count == 0
    assert not AbuseFlag.objects.filter(resolved_at__isnull=True).exists()
    note = Notification.objects.get(recipient=world["usager"], kind="moderation.hidden")
    assert "Propos injurieux" in note.body
    assert note.url.endswith(f"#commentaire-{comment.pk}")
    with pytest.raises(ValidationError):  # already hidden
        moderation.flag(comment, reporter=world["manager"], reason="spam")
    services.moderate(comment, actor=world["animateur"], action="restore", reason="Erreur")
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    log = list(ModerationEvent.objects.values_list("action", "reason"))
    assert log == [("restore", "Erreur"), ("hide", "Propos injurieux")]
    assert list(moderation.log_of([world.org_b.pk])) == []


def test_dismiss(world, comment):
    with pytest.raises(ValidationError):
        services.moderate(comment, actor=world["animateur"], action="dismiss")
    moderation.flag(comment, reporter=world["agent"], reason="off_topic")
    services.moderate(comment, actor=world["animateur"], action="dismiss", reason="Pertinent")
    comment.refresh_from_db()
    assert not comment.is_hidden and comment.flag_count == 0
    assert list(moderation.open_flags([world.org_a.pk])) == []


@pytest.mark.parametrize("role", ["usager", "agent", "manager", "elu", "expert", "admin_b"])
def test_only_the_participation_team_moderates(world, comment, role):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.moderate(comment, actor=world[role], action="hide", reason="Non")
