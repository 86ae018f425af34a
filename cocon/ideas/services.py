"""Writes of Idées: each function validates everything first (French messages keyed by
field), then writes in one transaction, records the history and tells the people
concerned. Permission checks stay in the views (`cocon.core.permissions.require`); the
services re-check what would corrupt data (a closed campaign, a support twice…).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.core import history, moderation, notifications
from cocon.core.attachments import (
    attach_document,
    attach_photo,
    validate_document,
    validate_photo,
)
from cocon.core.permissions import can
from cocon.ideas import rules
from cocon.ideas.models import (
    BENEFIT_MAX,
    COMMENT_MAX,
    DECISION_MAX,
    DECISION_STATES,
    FOLLOW_UP,
    OPEN_STATES,
    PROBLEM_MAX,
    PROPOSAL_MAX,
    TITLE_MAX,
    AuthorCategory,
    Campaign,
    Comment,
    CostBand,
    DecisionLevel,
    Feasibility,
    Follow,
    Idea,
    IdeaVersion,
    Impact,
    ModerationMode,
    Recommendation,
    Review,
    Scope,
    State,
    Support,
    Visibility,
)

MAX_PHOTOS = 3
MAX_DOCUMENTS = 3
MAX_COMMENT_DEPTH = 3
Email = notifications.Email


def _err(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _text(errors: dict, name: str, value: str, maximum: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    elif len(value) > maximum:
        errors.setdefault(name, []).append(
            _("The text is too long (%(max)s characters at most, %(n)s given).")
            % {"max": f"{maximum:,}".replace(",", "\u202f"), "n": len(value)}
        )
    return value


# --- campaigns ---------------------------------------------------------------------------
CAMPAIGN_FIELDS = (
    "title",
    "question",
    "description",
    "scope",
    "is_permanent",
    "opens_on",
    "closes_on",
    "decision_calendar",
    "decisions_by",
    "moderation",
    "moderation_rules",
)


def _validate_campaign(data: dict, organization) -> dict:
    errors: dict[str, list[str]] = {}
    clean = dict(data)
    clean["title"] = _text(errors, "title", data.get("title", ""), 200)
    clean["question"] = _text(errors, "question", data.get("question", ""), 1000)
    clean["description"] = _text(
        errors, "description", data.get("description", ""), 5000, required=False
    )
    clean["decision_calendar"] = _text(
        errors, "decision_calendar", data.get("decision_calendar", ""), 2000, required=False
    )
    clean["moderation_rules"] = _text(
        errors, "moderation_rules", data.get("moderation_rules", ""), 3000, required=False
    )
    if data.get("scope") not in Scope.values:
        errors.setdefault("scope", []).append(_("Choose who may propose ideas."))
    if data.get("moderation", ModerationMode.POST) not in ModerationMode.values:
        errors.setdefault("moderation", []).append(_("Choose a moderation mode."))
    permanent = bool(data.get("is_permanent"))
    opens, closes = data.get("opens_on"), data.get("closes_on")
    if not permanent:
        if not opens:
            errors.setdefault("opens_on", []).append(_("Give the opening date."))
        if not closes:
            errors.setdefault("closes_on", []).append(_("Give the closing date."))
        if opens and closes and closes < opens:
            errors.setdefault("closes_on", []).append(
                _("The closing date is before the opening date.")
            )
    else:
        clean["opens_on"] = clean["closes_on"] = None
    decisions_by = data.get("decisions_by")
    if decisions_by and closes and not permanent and decisions_by < closes:
        errors.setdefault("decisions_by", []).append(
            _("Decisions cannot be announced before the call closes.")
        )
    for service in data.get("services") or ():
        if service.organization.territory_id != organization.territory_id:
            errors.setdefault("services", []).append(_("This service is outside the territory."))
    for theme in data.get("themes") or ():
        if theme.territory_id != organization.territory_id:
            errors.setdefault("themes", []).append(_("This theme is outside the territory."))
    for other in data.get("organizations") or ():
        if other.territory_id != organization.territory_id:
            errors.setdefault("organizations", []).append(
                _("This organization is outside the territory.")
            )
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def campaign_save(*, actor, organization, campaign: Campaign | None = None, **data) -> Campaign:
    """Create or update a call for ideas (or the permanent box) of `organization`."""
    clean = _validate_campaign(data, organization)
    if campaign is None:
        campaign = Campaign(
            territory_id=organization.territory_id, organization=organization, created_by=actor
        )
    for name in CAMPAIGN_FIELDS:
        if name in clean:
            setattr(campaign, name, clean[name])
    campaign.save()
    for name in ("services", "themes", "organizations"):
        if name in data:
            getattr(campaign, name).set(data[name] or [])
    return campaign


def permanent_box(organization) -> Campaign:
    """The organization's permanent idea box (created on first use)."""
    box = Campaign.objects.filter(organization=organization, is_permanent=True).first()
    if box is None:
        box = Campaign.objects.create(
            territory_id=organization.territory_id,
            organization=organization,
            title=_("Permanent idea box"),
            question=_("What would make our public service better for its users?"),
            scope=Scope.AGENTS,
            is_permanent=True,
        )
        box.organizations.set([organization])
    return box


# --- ideas -------------------------------------------------------------------------------
def _agent_profile(user):
    try:
        return user.agent_profile
    except Exception:
        return None


def validate_idea(
    *,
    campaign: Campaign,
    title: str,
    problem: str,
    proposal: str,
    benefit: str,
    decision_level: str,
    services: Iterable = (),
    theme=None,
    photos: Iterable = (),
    documents: Iterable = (),
) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {
        "title": _text(errors, "title", title, TITLE_MAX),
        "problem": _text(errors, "problem", problem, PROBLEM_MAX),
        "proposal": _text(errors, "proposal", proposal, PROPOSAL_MAX),
        "benefit": _text(errors, "benefit", benefit, BENEFIT_MAX),
    }
    if clean["title"] and len(clean["title"]) < 8 and "title" not in errors:
        errors["title"] = [_("Give a title of at least 8 characters that says what you propose.")]
    if decision_level not in DecisionLevel.values:
        errors["decision_level"] = [_("Choose who should decide.")]
    services = list(services or ())
    allowed = {s.pk for s in campaign.services.all()}
    for service in services:
        if service.organization.territory_id != campaign.territory_id:
            errors.setdefault("services", []).append(_("This service is outside the territory."))
        elif allowed and service.pk not in allowed:
            errors.setdefault("services", []).append(
                _("“%(name)s” is not among the services of this call for ideas.")
                % {"name": service}
            )
    if theme is not None and theme.territory_id != campaign.territory_id:
        errors["theme"] = [_("This theme is outside the territory.")]
    photos = list(photos or ())
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = [_("%(n)s files at most.") % {"n": MAX_PHOTOS}]
    for photo in photos:
        try:
            validate_photo(photo)
        except ValidationError as exc:
            errors.setdefault("photos", []).extend(exc.messages)
    documents = list(documents or ())
    if len(documents) > MAX_DOCUMENTS:
        errors["documents"] = [_("%(n)s files at most.") % {"n": MAX_DOCUMENTS}]
    for document in documents:
        try:
            validate_document(document)
        except ValidationError as exc:
            errors.setdefault("documents", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    clean.update(
        decision_level=decision_level,
        services=services,
        theme=theme,
        photos=photos,
        documents=documents,
    )
    return clean


def _followers(idea: Idea, *, exclude_ids: Iterable[int] = ()):
    from cocon.accounts.models import User

    ids = set(Follow.objects.filter(idea=idea).values_list("user_id", flat=True))
    ids |= {pk for pk in (idea.author_id, idea.submitted_by_id) if pk}
    ids |= set(idea.coauthors.values_list("pk", flat=True))
    ids -= set(exclude_ids)
    return notifications.recipients_of(User.objects.filter(pk__in=ids))


def _animateurs(idea_or_campaign):
    from cocon.accounts.models import User

    campaign = getattr(idea_or_campaign, "campaign", idea_or_campaign)
    return notifications.recipients_of(
        User.objects.filter(
            roles__organization_id=campaign.organization_id, roles__kind="animateur"
        ).distinct()
    )


def _tell(idea: Idea, *, kind: str, title: str, body: str = "", exclude=None, people=None):
    notifications.notify(
        people
        if people is not None
        else _followers(idea, exclude_ids=[exclude.pk] if exclude else []),
        kind=kind,
        title=title,
        body=body,
        url=idea.get_absolute_url(),
        obj=idea,
        default_email=Email.IMMEDIATE,
    )


def _follow(idea: Idea, user) -> bool:
    if user is None:
        return False
    _row, created = Follow.objects.get_or_create(idea=idea, user=user)
    if created:
        Idea.objects.filter(pk=idea.pk).update(follower_count=F("follower_count") + 1)
    return created


@transaction.atomic
def idea_submit(
    *,
    author,
    campaign: Campaign,
    title: str,
    problem: str,
    proposal: str,
    benefit: str,
    decision_level: str,
    services: Iterable = (),
    theme=None,
    public: bool | None = None,
    on_behalf: bool = False,
    photos: Iterable = (),
    documents: Iterable = (),
    now: dt.datetime | None = None,
    authorized_by: str = "",
) -> Idea:
    """Record an idea. `on_behalf`: `author` is an agent typing a user's idea (the user
    has no account here; the agent follows the idea to pass the answer on).
    `authorized_by`: the permission rule another module already checked for this author
    (e.g. "processes.manage" for a process's workshop outputs typed by its team), in
    place of the Idées rules."""
    grants = author.grants
    if not campaign.is_open():
        raise _err("__all__", _("This call for ideas is closed: it no longer accepts ideas."))
    if authorized_by:
        pass
    elif on_behalf:
        if not can(author, "ideas.submit_on_behalf", campaign):
            raise PermissionDenied("ideas.submit_on_behalf")
    elif not can(author, "ideas.submit", campaign):
        raise PermissionDenied("ideas.submit")
    clean = validate_idea(
        campaign=campaign,
        title=title,
        problem=problem,
        proposal=proposal,
        benefit=benefit,
        decision_level=decision_level,
        services=services,
        theme=theme,
        photos=photos,
        documents=documents,
    )
    now = now or timezone.now()
    as_agent = not on_behalf and rules.may_propose_as_agent(grants, campaign)
    profile = _agent_profile(author) if as_agent else None
    if profile is not None:
        category = profile.category
        organization_id = profile.organization_id
        service_id = profile.service_id
    else:
        category = AuthorCategory.USAGER
        organization_id = campaign.organization_id
        service_id = None
    if public is None:
        public = not as_agent
    idea = Idea.objects.create(
        campaign=campaign,
        organization_id=organization_id,
        author=None if on_behalf else author,
        submitted_by=author if on_behalf else None,
        on_behalf_of_user=on_behalf,
        author_category=category,
        author_organization_id=organization_id if as_agent else None,
        author_service_id=service_id,
        title=clean["title"],
        problem=clean["problem"],
        proposal=clean["proposal"],
        benefit=clean["benefit"],
        decision_level=clean["decision_level"],
        theme=clean["theme"],
        visibility=Visibility.PUBLIC if public else Visibility.ORGANIZATION,
        awaiting_moderation=campaign.moderation == ModerationMode.PRE,
        created_at=now,
        updated_at=now,
        follower_count=1,
    )
    idea.services.set(clean["services"])
    IdeaVersion.objects.create(
        idea=idea,
        number=1,
        title=idea.title,
        problem=idea.problem,
        proposal=idea.proposal,
        benefit=idea.benefit,
        created_at=now,
        created_by=author,
    )
    Follow.objects.create(idea=idea, user=author, created_at=now)
    for photo in clean["photos"]:
        attach_photo(idea, photo)
    for document in clean["documents"]:
        attach_document(idea, document)
    history.record(idea, action="submitted", actor=author, to_status=State.SUBMITTED, at=now)
    notifications.notify(
        _animateurs(campaign),
        kind="ideas.new",
        title=_("New idea in “%(campaign)s”: %(title)s")
        % {"campaign": campaign.title, "title": idea.title},
        url=idea.get_absolute_url(),
        obj=idea,
        exclude=author,
    )
    from cocon.ideas import selectors

    transaction.on_commit(selectors.similar_index_changed)
    return idea


@transaction.atomic
def idea_edit(
    idea: Idea,
    *,
    actor,
    title: str,
    problem: str,
    proposal: str,
    benefit: str,
    decision_level: str | None = None,
    services: Iterable | None = None,
    theme=None,
    note: str = "",
) -> Idea:
    """The author changes the text. Before the review starts the first version is
    replaced; afterwards each change is a new version (shown as a diff) and the
    démineurs and followers are told."""
    if not can(actor, "ideas.edit", idea):
        raise PermissionDenied("ideas.edit")
    clean = validate_idea(
        campaign=idea.campaign,
        title=title,
        problem=problem,
        proposal=proposal,
        benefit=benefit,
        decision_level=decision_level or idea.decision_level,
        services=services if services is not None else idea.services.all(),
        theme=theme if theme is not None else idea.theme,
    )
    if len(note) > 300:
        raise _err("note", _("The text is too long (300 characters at most)."))
    text_fields = ("title", "problem", "proposal", "benefit")
    changed = any(getattr(idea, f) != clean[f] for f in text_fields)
    now = timezone.now()
    for name in (*text_fields, "decision_level", "theme"):
        setattr(idea, name, clean[name])
    idea.updated_at = now
    in_place = idea.state == State.SUBMITTED and idea.review_started_at is None
    if changed and not in_place:
        idea.version += 1
    idea.save()
    idea.services.set(clean["services"])
    if not changed:
        return idea
    if in_place:
        IdeaVersion.objects.filter(idea=idea, number=idea.version).update(
            **{f: clean[f] for f in text_fields}, created_at=now
        )
    else:
        IdeaVersion.objects.create(
            idea=idea,
            number=idea.version,
            **{f: clean[f] for f in text_fields},
            note=note.strip(),
            created_at=now,
            created_by=actor,
        )
        history.record(
            idea,
            action="new_version",
            actor=actor,
            data={"version": idea.version},
            public_text=note,
        )
        experts = [r.expert for r in idea.reviews.select_related("expert")]
        _tell(
            idea,
            kind="ideas.version",
            title=_("“%(title)s” has a new version (v%(v)s)")
            % {"title": idea.title, "v": idea.version},
            body=note,
            exclude=actor,
            people=experts + list(_followers(idea, exclude_ids=[actor.pk])),
        )
    from cocon.ideas import selectors

    transaction.on_commit(selectors.similar_index_changed)
    return idea


@transaction.atomic
def idea_make_public(idea: Idea, *, actor) -> Idea:
    """The author opens an agents' idea to the public (there is no way back: people
    outside may already have read, supported or commented it)."""
    if not rules.scope_of(actor.grants).is_author(idea):
        raise PermissionDenied("ideas.make_public")
    if idea.visibility == Visibility.PUBLIC:
        raise _err("visibility", _("This idea is already public."))
    idea.visibility = Visibility.PUBLIC
    Idea.objects.filter(pk=idea.pk).update(visibility=Visibility.PUBLIC)
    history.record(idea, action="made_public", actor=actor)
    return idea


# --- participation ----------------------------------------------------------------------
def _closed_reason(idea: Idea) -> str | None:
    if not idea.campaign.is_open():
        return _("This call for ideas is closed: supports and comments are no longer accepted.")
    if idea.state == State.MERGED:
        return _("This idea was merged into another one: support that one instead.")
    if idea.hidden_at:
        return _("This idea was hidden by the moderators.")
    return None


@transaction.atomic
def idea_support(idea: Idea, *, user) -> Support:
    reason = _closed_reason(idea)
    if reason:
        raise _err("__all__", reason)
    if not can(user, "ideas.participate", idea):
        raise PermissionDenied("ideas.participate")
    try:
        with transaction.atomic():
            support = Support.objects.create(idea=idea, user=user)
    except IntegrityError:
        raise _err("__all__", _("You already support this idea.")) from None
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") + 1)
    idea.support_count += 1
    return support


@transaction.atomic
def idea_unsupport(idea: Idea, *, user) -> None:
    deleted, _rows = Support.objects.filter(idea=idea, user=user).delete()
    if not deleted:
        raise _err("__all__", _("You do not support this idea."))
    Idea.objects.filter(pk=idea.pk).update(support_count=F("support_count") - 1)
    idea.support_count -= 1


@transaction.atomic
def idea_follow(idea: Idea, *, user) -> bool:
    if not can(user, "ideas.follow", idea):
        raise PermissionDenied("ideas.follow")
    return _follow(idea, user)


@transaction.atomic
def idea_unfollow(idea: Idea, *, user) -> bool:
    deleted, _rows = Follow.objects.filter(idea=idea, user=user).delete()
    if deleted:
        Idea.objects.filter(pk=idea.pk).update(follower_count=F("follower_count") - 1)
    return bool(deleted)


def _person_label(user, idea: Idea) -> str:
    profile = _agent_profile(user)
    if profile is not None:
        return _("Agent, %(org)s") % {"org": profile.organization.display_name}
    return _("User")


@transaction.atomic
def comment_add(idea: Idea, *, author, text: str, parent: Comment | None = None) -> Comment:
    reason = _closed_reason(idea)
    if reason:
        raise _err("text", reason)
    if not can(author, "ideas.participate", idea):
        raise PermissionDenied("ideas.participate")
    errors: dict[str, list[str]] = {}
    text = _text(errors, "text", text, COMMENT_MAX)
    if parent is not None and (parent.idea_id != idea.pk or parent.hidden_at):
        errors.setdefault("parent", []).append(_("You cannot answer this comment."))
    if errors:
        raise ValidationError(errors)
    depth = min((parent.depth + 1) if parent else 0, MAX_COMMENT_DEPTH)
    if parent is not None and parent.depth >= MAX_COMMENT_DEPTH:
        parent = parent.parent  # keep threads readable: the deepest level is flat
    comment = Comment.objects.create(
        idea=idea,
        parent=parent,
        author=author,
        author_label=_person_label(author, idea),
        text=text,
        depth=depth,
    )
    Idea.objects.filter(pk=idea.pk).update(comment_count=F("comment_count") + 1)
    idea.comment_count += 1
    people = list(_followers(idea, exclude_ids=[author.pk]))
    if parent is not None and parent.author_id and parent.author_id != author.pk:
        from cocon.accounts.models import User

        people += notifications.recipients_of(User.objects.filter(pk=parent.author_id))
    notifications.notify(
        people,
        kind="ideas.comment",
        title=_("New comment on “%(title)s”") % {"title": idea.title},
        body=text[:300],
        url=comment.moderation_url(),
        obj=idea,
    )
    return comment


# --- déminage ---------------------------------------------------------------------------
def _expert_label(user) -> str:
    grants = user.grants
    experts = grants.roles_of("expert")
    profile = _agent_profile(user)
    if experts and experts[0].title:
        return experts[0].title
    if profile is not None:
        return f"{profile.job_title}, {profile.organization.display_name}"
    return user.full_name


@transaction.atomic
def reviews_assign(idea: Idea, *, actor, experts: Iterable, due_on: dt.date) -> list[Review]:
    """Animateurs name one or more démineurs with a deadline; the idea goes under review
    (from then on, the author's changes are new versions)."""
    if not can(actor, "ideas.animate", idea):
        raise PermissionDenied("ideas.animate")
    experts = list(experts)
    errors: dict[str, list[str]] = {}
    if idea.state not in (State.SUBMITTED, State.UNDER_REVIEW):
        errors["experts"] = [_("Démineurs can only be named before the idea goes to decision.")]
    if not experts:
        errors.setdefault("experts", []).append(_("Choose at least one démineur."))
    if due_on is None or due_on < timezone.localdate():
        errors["due_on"] = [_("Give a deadline that is not in the past.")]
    already = set(idea.reviews.values_list("expert_id", flat=True))
    for expert in experts:
        if expert.pk in already:
            errors.setdefault("experts", []).append(
                _("%(name)s is already a démineur of this idea.") % {"name": expert.full_name}
            )
        if expert.pk in (idea.author_id, idea.submitted_by_id):
            errors.setdefault("experts", []).append(_("The author cannot review their own idea."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    rows = [
        Review.objects.create(
            idea=idea,
            expert=e,
            expert_label=_expert_label(e),
            assigned_by=actor,
            assigned_at=now,
            due_on=due_on,
        )
        for e in experts
    ]
    previous = idea.state
    if idea.state == State.SUBMITTED:
        idea.state = State.UNDER_REVIEW
    idea.review_started_at = idea.review_started_at or now
    idea.save(update_fields=["state", "review_started_at"])
    history.record(
        idea,
        action="review_assigned",
        actor=actor,
        from_status=previous,
        to_status=idea.state,
        data={"experts": [e.pk for e in experts], "due_on": due_on.isoformat()},
        public_text=_("%(n)s démineur(s) will give their opinion by %(date)s.")
        % {"n": len(experts), "date": due_on.strftime("%d/%m/%Y")},
    )
    notifications.notify(
        experts,
        kind="ideas.review_assigned",
        title=_("Your expert opinion is requested on “%(title)s” (by %(date)s)")
        % {"title": idea.title, "date": due_on.strftime("%d/%m/%Y")},
        url=idea.get_absolute_url(),
        obj=idea,
        default_email=Email.IMMEDIATE,
    )
    if previous != idea.state:
        _tell(
            idea,
            kind="ideas.state",
            title=_("Your idea “%(title)s” is under review") % {"title": idea.title},
        )
    return rows


REVIEW_CHOICES = {
    "feasibility": Feasibility.values,
    "cost_band": CostBand.values,
    "impact": Impact.values,
    "recommendation": Recommendation.values,
}


@transaction.atomic
def review_submit(review: Review, *, actor, **data) -> Review:
    """The démineur's structured opinion. It can be corrected until it is published."""
    if not can(actor, "ideas.review", review):
        raise PermissionDenied("ideas.review")
    if review.published_at:
        raise _err("__all__", _("This opinion is published and can no longer be changed."))
    errors: dict[str, list[str]] = {}
    for name, allowed in REVIEW_CHOICES.items():
        if data.get(name) not in allowed:
            errors[name] = [_("Choose a value.")]
    constraints = _text(errors, "constraints", data.get("constraints", ""), 3000, required=False)
    text = _text(errors, "text", data.get("text", ""), 5000)
    if errors:
        raise ValidationError(errors)
    first = review.submitted_at is None
    for name in REVIEW_CHOICES:
        setattr(review, name, data[name])
    review.constraints, review.text = constraints, text
    review.submitted_at = timezone.now()
    review.save()
    if first:
        idea = review.idea
        history.record(idea, action="review_given", actor=actor, actor_label=review.expert_label)
        _tell(
            idea,
            kind="ideas.review",
            title=_("A démineur gave their opinion on “%(title)s”") % {"title": idea.title},
            exclude=actor,
            people=list(_followers(idea, exclude_ids=[actor.pk])) + list(_animateurs(idea)),
        )
    return review


@transaction.atomic
def review_publish(review: Review, *, actor) -> Review:
    if not can(actor, "ideas.animate", review.idea):
        raise PermissionDenied("ideas.animate")
    if not review.is_given:
        raise _err("__all__", _("This démineur has not given their opinion yet."))
    if review.published_at:
        raise _err("__all__", _("This opinion is already published."))
    review.published_at = timezone.now()
    review.save(update_fields=["published_at"])
    history.record(review.idea, action="review_published", actor=actor)
    return review


@transaction.atomic
def idea_to_decision(idea: Idea, *, actor, text: str = "") -> Idea:
    if not can(actor, "ideas.animate", idea):
        raise PermissionDenied("ideas.animate")
    if idea.state not in (State.SUBMITTED, State.UNDER_REVIEW):
        raise _err("__all__", _("This idea is not at the review stage."))
    errors: dict = {}
    text = _text(errors, "text", text, DECISION_MAX, required=False)
    if errors:
        raise ValidationError(errors)
    previous, idea.state = idea.state, State.AWAITING_DECISION
    idea.review_started_at = idea.review_started_at or timezone.now()
    idea.save(update_fields=["state", "review_started_at"])
    history.record(
        idea,
        action="to_decision",
        actor=actor,
        from_status=previous,
        to_status=idea.state,
        public_text=text,
    )
    _tell(
        idea,
        kind="ideas.state",
        title=_("Your idea “%(title)s” awaits a decision") % {"title": idea.title},
        body=text,
    )
    return idea


@transaction.atomic
def idea_set_quick_win(idea: Idea, *, actor, value: bool) -> Idea:
    if not (can(actor, "ideas.animate", idea) or rules.decision_rank(actor.grants, idea)):
        raise PermissionDenied("ideas.animate")
    idea.is_quick_win = bool(value)
    Idea.objects.filter(pk=idea.pk).update(is_quick_win=idea.is_quick_win)
    return idea


# --- decisions ----------------------------------------------------------------------------
def signature_of(actor, idea: Idea) -> str:
    """ "Function, organization": how a decision is signed (a function, not a person)."""
    org_id = idea.campaign.organization_id
    roles = [
        r for r in actor.grants.roles if r.organization_id == org_id and r.kind in rules.ROLE_RANK
    ]
    roles.sort(key=lambda r: -rules.ROLE_RANK[r.kind])
    org = idea.campaign.organization.display_name
    if roles:
        role = roles[0]
        if role.title:
            return f"{role.title}, {org}"
        from cocon.accounts.models import RoleKind

        return f"{RoleKind(role.kind).label}, {org}"
    return org


def _check_decision(idea: Idea, actor, state: str, text: str, merge_into) -> list[str]:
    problems = []
    if state not in DECISION_STATES:
        problems.append(_("Choose a decision."))
    if idea.state not in OPEN_STATES:
        problems.append(_("This idea is already decided."))
    elif not can(actor, "ideas.decide", idea):
        problems.append(_("This decision is not within your delegation."))
    if state == State.REJECTED and not text.strip():
        problems.append(_("A rejection needs a reason: the author and the public will read it."))
    if state == State.MERGED:
        if merge_into is None:
            problems.append(_("Choose the idea it is merged into."))
        elif merge_into.pk == idea.pk or merge_into.state == State.MERGED:
            problems.append(_("An idea cannot be merged into itself or into a merged idea."))
        elif merge_into.campaign.organization_id != idea.campaign.organization_id:
            problems.append(_("Both ideas must belong to the same organization."))
    if len(text) > DECISION_MAX:
        problems.append(_("The text is too long (5,000 characters at most)."))
    return problems


def _merge(idea: Idea, target: Idea) -> None:
    """Authors kept (co-authors of the target), followers and supporters carried over."""
    people = {pk for pk in (idea.author_id, idea.submitted_by_id) if pk}
    people |= set(idea.coauthors.values_list("pk", flat=True))
    people -= {target.author_id}
    if people:
        target.coauthors.add(*people)
    Follow.objects.bulk_create(
        [
            Follow(idea=target, user_id=u)
            for u in Follow.objects.filter(idea=idea).values_list("user_id", flat=True)
        ],
        ignore_conflicts=True,
    )
    Support.objects.bulk_create(
        [
            Support(idea=target, user_id=u)
            for u in Support.objects.filter(idea=idea).values_list("user_id", flat=True)
        ],
        ignore_conflicts=True,
    )
    counts = (
        Idea.objects.filter(pk=target.pk)
        .annotate(s=Count("supports", distinct=True), f=Count("follows", distinct=True))
        .values("s", "f")[0]
    )
    Idea.objects.filter(pk=target.pk).update(support_count=counts["s"], follower_count=counts["f"])
    history.record(target, action="merged_in", data={"idea": idea.pk, "title": idea.title})


def _apply_decision(
    idea: Idea, *, actor, state: str, text: str, signature: str, merge_into, quick_win, now
):
    previous = idea.state
    idea.state = state
    idea.decision_text = text.strip()
    idea.decision_signature = signature
    idea.decided_by = actor
    idea.decided_at = now
    idea.merged_into = merge_into if state == State.MERGED else None
    if quick_win is not None:
        idea.is_quick_win = bool(quick_win)
    idea.save(
        update_fields=[
            "state",
            "decision_text",
            "decision_signature",
            "decided_by",
            "decided_at",
            "merged_into",
            "is_quick_win",
        ]
    )
    if state == State.MERGED:
        _merge(idea, merge_into)
    history.record(
        idea,
        action="decided",
        actor=actor,
        actor_label=signature,
        from_status=previous,
        to_status=state,
        public_text=idea.decision_text,
        at=now,
    )
    _tell(
        idea,
        kind="ideas.decision",
        title=_("Decision on “%(title)s”: %(state)s")
        % {"title": idea.title, "state": State(state).label},
        body=idea.decision_text,
        exclude=actor,
    )


@transaction.atomic
def idea_decide(
    idea: Idea,
    *,
    actor,
    state: str,
    text: str = "",
    merge_into: Idea | None = None,
    signature: str = "",
    quick_win: bool | None = None,
) -> Idea:
    """Decide one idea. The text is public, dated and signed by function."""
    text = text or ""
    problems = _check_decision(idea, actor, state, text, merge_into)
    if problems:
        if problems == [_("This decision is not within your delegation.")]:
            raise PermissionDenied("ideas.decide")
        field = "text" if state in DECISION_STATES and state != State.MERGED else "state"
        if state == State.MERGED and merge_into is None:
            field = "merge_into"
        raise ValidationError({field: problems})
    if len(signature) > 250:
        raise _err("signature", _("The text is too long (250 characters at most)."))
    _apply_decision(
        idea,
        actor=actor,
        state=state,
        text=text,
        signature=signature.strip() or signature_of(actor, idea),
        merge_into=merge_into,
        quick_win=quick_win,
        now=timezone.now(),
    )
    return idea


@transaction.atomic
def ideas_decide_bulk(
    ideas: Iterable[Idea],
    *,
    actor,
    state: str,
    shared_text: str,
    texts: dict[int, str] | None = None,
    signature: str = "",
) -> list[Idea]:
    """One decision on several ideas: a shared answer plus an optional text per idea.
    All or nothing: if one idea cannot take the decision, nothing is written and the
    error names it."""
    ideas = list(ideas)
    texts = texts or {}
    errors: list[str] = []
    if not ideas:
        raise _err("ideas", _("Select at least one idea."))
    if state == State.MERGED:
        raise _err("state", _("Merging is decided one idea at a time."))
    if len(shared_text) > DECISION_MAX:
        raise _err("shared_text", _("The text is too long (5,000 characters at most)."))
    combined = {}
    for idea in ideas:
        own = (texts.get(idea.pk) or "").strip()
        text = "\n\n".join(t for t in (shared_text.strip(), own) if t)
        combined[idea.pk] = text
        for problem in _check_decision(idea, actor, state, text, None):
            errors.append(f"« {idea.title} » : {problem}")
    if errors:
        raise ValidationError({"ideas": errors})
    if len(signature) > 250:
        raise _err("signature", _("The text is too long (250 characters at most)."))
    now = timezone.now()
    for idea in ideas:
        _apply_decision(
            idea,
            actor=actor,
            state=state,
            text=combined[idea.pk],
            signature=signature.strip() or signature_of(actor, idea),
            merge_into=None,
            quick_win=None,
            now=now,
        )
    return ideas


@transaction.atomic
def idea_advance(idea: Idea, *, actor, state: str, text: str = "") -> Idea:
    """After a positive decision: being implemented → implemented → evaluated."""
    if not can(actor, "ideas.follow_up", idea):
        raise PermissionDenied("ideas.follow_up")
    allowed = FOLLOW_UP.get(idea.state, [])
    errors: dict = {}
    if state not in allowed:
        errors["state"] = [_("This step cannot follow the idea's current state.")]
    text = _text(
        errors, "text", text, DECISION_MAX, required=state in (State.REJECTED, State.EVALUATED)
    )
    if errors:
        raise ValidationError(errors)
    previous, idea.state = idea.state, state
    idea.save(update_fields=["state"])
    history.record(
        idea,
        action="progress",
        actor=actor,
        actor_label=signature_of(actor, idea),
        from_status=previous,
        to_status=state,
        public_text=text,
    )
    _tell(
        idea,
        kind="ideas.state",
        title=_("“%(title)s”: %(state)s") % {"title": idea.title, "state": State(state).label},
        body=text,
        exclude=actor,
    )
    return idea


# --- moderation -------------------------------------------------------------------------
@transaction.atomic
def idea_approve(idea: Idea, *, actor) -> Idea:
    """Pre-moderated campaigns: a moderator publishes the idea."""
    if not can(actor, "ideas.moderate", idea):
        raise PermissionDenied("ideas.moderate")
    if not idea.awaiting_moderation:
        raise _err("__all__", _("This idea is already published."))
    idea.awaiting_moderation = False
    Idea.objects.filter(pk=idea.pk).update(awaiting_moderation=False)
    history.record(idea, action="approved", actor=actor)
    return idea


def moderate(obj: Idea | Comment, *, actor, action: str, reason: str = ""):
    """hide / restore / dismiss an idea or a comment (shared mechanism of cocon.core)."""
    idea = obj if isinstance(obj, Idea) else obj.idea
    if not can(actor, "ideas.moderate", idea):
        raise PermissionDenied("ideas.moderate")
    operations = {
        "hide": moderation.hide,
        "restore": moderation.restore,
        "dismiss": moderation.dismiss,
    }
    if action not in operations:
        raise _err("action", _("Unknown action."))
    return operations[action](obj, moderator=actor, reason=reason)


# --- reminders ---------------------------------------------------------------------------
REMIND_DAYS_BEFORE = 2


def remind_reviewers(today: dt.date | None = None) -> tuple[int, int]:
    """Daily: remind each démineur once, two days before the deadline; when the deadline
    has passed, tell the démineur and the campaign's animateurs once. Returns (reminders,
    late notices)."""
    today = today or timezone.localdate()
    now = timezone.now()
    pending = Review.objects.filter(submitted_at__isnull=True, idea__state__in=list(OPEN_STATES))
    reminded = late = 0
    soon = pending.filter(
        reminded_at__isnull=True,
        due_on__lte=today + dt.timedelta(days=REMIND_DAYS_BEFORE),
        due_on__gte=today,
    ).select_related("idea", "expert")
    for review in soon:
        with transaction.atomic():
            notifications.notify(
                [review.expert],
                kind="ideas.review_due",
                title=_("Reminder: your opinion on “%(title)s” is expected by %(date)s")
                % {"title": review.idea.title, "date": review.due_on.strftime("%d/%m/%Y")},
                url=review.idea.get_absolute_url(),
                obj=review.idea,
                default_email=Email.IMMEDIATE,
            )
            Review.objects.filter(pk=review.pk).update(reminded_at=now)
        reminded += 1
    overdue = pending.filter(late_notified_at__isnull=True, due_on__lt=today).select_related(
        "idea__campaign", "expert"
    )
    for review in overdue:
        with transaction.atomic():
            notifications.notify(
                [review.expert, *_animateurs(review.idea)],
                kind="ideas.review_late",
                title=_("Late opinion: “%(title)s” was due on %(date)s")
                % {"title": review.idea.title, "date": review.due_on.strftime("%d/%m/%Y")},
                url=review.idea.get_absolute_url(),
                obj=review.idea,
            )
            Review.objects.filter(pk=review.pk).update(late_notified_at=now)
        late += 1
    return reminded, late


def _register_daily_jobs() -> None:
    from cocon.core.schedule import daily

    daily("ideas.remind_reviewers", hour=8)(remind_reviewers)


_register_daily_jobs()
