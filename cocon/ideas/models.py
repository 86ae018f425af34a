"""Idées: calls for ideas (campaigns), ideas with their versions, expert reviews
(déminage), supports, follows, threaded comments and decisions.

History, notifications, attachments and moderation are the shared mechanisms of
`cocon.core`; this module keeps only what is specific to ideas. Counters (supports,
comments, followers) are stored on the idea and kept in step by the services, so that
the list sorted by supports reads one indexed table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cocon.core.models import Moderated

TITLE_MAX = 150
PROBLEM_MAX = 3000
PROPOSAL_MAX = 5000
BENEFIT_MAX = 2000
COMMENT_MAX = 3000
DECISION_MAX = 5000


class Scope(models.TextChoices):
    AGENTS = "agents", _("Agents of the organizations taking part")
    USERS = "users", _("Users (usagers)")
    BOTH = "both", _("Agents and users")


class ModerationMode(models.TextChoices):
    POST = "post", _("Published at once, moderated on report")
    PRE = "pre", _("Checked by a moderator before publication")


class Campaign(models.Model):
    """A call for ideas, or the permanent idea box of an organization (no dates)."""

    territory = models.ForeignKey(
        "territory.Territory", on_delete=models.CASCADE, related_name="campaigns"
    )
    organization = models.ForeignKey(
        "territory.Organization",
        verbose_name=_("organization running it"),
        on_delete=models.CASCADE,
        related_name="campaigns",
    )
    organizations = models.ManyToManyField(
        "territory.Organization",
        verbose_name=_("organizations whose agents take part"),
        blank=True,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    question = models.TextField(_("question asked"), max_length=1000)
    description = models.TextField(_("presentation"), max_length=5000, blank=True)
    scope = models.CharField(_("who may propose"), max_length=10, choices=Scope.choices)
    themes = models.ManyToManyField("voices.Theme", verbose_name=_("themes"), blank=True)
    services = models.ManyToManyField(
        "territory.Service", verbose_name=_("services concerned"), blank=True, related_name="+"
    )
    is_permanent = models.BooleanField(
        _("permanent idea box"),
        default=False,
        help_text=_("Always open: ideas submitted outside any call for ideas."),
    )
    opens_on = models.DateField(_("opens on"), null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    decision_calendar = models.TextField(
        _("decision calendar"),
        max_length=2000,
        blank=True,
        help_text=_("Who decides when, e.g. “Comité de direction du 12 mars, conseil du 2 avril”."),
    )
    decisions_by = models.DateField(_("decisions announced by"), null=True, blank=True)
    moderation = models.CharField(
        _("moderation"), max_length=5, choices=ModerationMode.choices, default=ModerationMode.POST
    )
    moderation_rules = models.TextField(
        _("participation charter"),
        max_length=3000,
        blank=True,
        help_text=_("The rules shown next to the forms (what is removed, and why)."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("call for ideas")
        verbose_name_plural = _("calls for ideas")
        ordering = ["-is_permanent", "-opens_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:campaign", args=[self.pk])

    @property
    def accepts_agents(self) -> bool:
        return self.scope in (Scope.AGENTS, Scope.BOTH)

    @property
    def accepts_users(self) -> bool:
        return self.scope in (Scope.USERS, Scope.BOTH)

    def is_open(self, today=None) -> bool:
        """Ideas, supports and comments are accepted."""
        if self.is_permanent:
            return True
        today = today or timezone.localdate()
        if self.opens_on and today < self.opens_on:
            return False
        return not (self.closes_on and today > self.closes_on)

    def has_started(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.is_permanent or self.opens_on is None or today >= self.opens_on


class DecisionLevel(models.TextChoices):
    TEAM = "team", _("My team")
    SERVICE = "service", _("My service")
    DIRECTION = "direction", _("The direction")
    ELUS = "elus", _("Elected officials (élus)")


LEVEL_RANK = {"team": 1, "service": 2, "direction": 3, "elus": 4}

# shown to the author next to the choice: who decides what
LEVEL_HELP = {
    "team": _(
        "A change in how your team works, at no cost: your team's manager decides, "
        "usually within a few weeks."
    ),
    "service": _("A change for the whole service or a small budget: the head of service decides."),
    "direction": _(
        "Several services, a budget or a change of procedure: the direction (DGS, DGA, "
        "director) decides at its management meeting."
    ),
    "elus": _(
        "A new service, a significant budget or a political choice: the élus decide, by "
        "delegation or in council."
    ),
}


class State(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review (déminage)")
    AWAITING_DECISION = "awaiting_decision", _("Awaiting decision")
    RETAINED = "retained", _("Retained")
    EXPERIMENT = "experiment", _("To be experimented")
    REJECTED = "rejected", _("Rejected")
    MERGED = "merged", _("Merged into another idea")
    IMPLEMENTING = "implementing", _("Being implemented")
    IMPLEMENTED = "implemented", _("Implemented")
    EVALUATED = "evaluated", _("Evaluated")


OPEN_STATES = {State.SUBMITTED, State.UNDER_REVIEW, State.AWAITING_DECISION}
DECISION_STATES = {State.RETAINED, State.EXPERIMENT, State.REJECTED, State.MERGED}
DECIDED_STATES = DECISION_STATES | {State.IMPLEMENTING, State.IMPLEMENTED, State.EVALUATED}
# what may follow a positive decision
FOLLOW_UP = {
    State.RETAINED: [State.IMPLEMENTING, State.IMPLEMENTED],
    State.EXPERIMENT: [State.IMPLEMENTING, State.IMPLEMENTED, State.REJECTED],
    State.IMPLEMENTING: [State.IMPLEMENTED],
    State.IMPLEMENTED: [State.EVALUATED],
}


class AuthorCategory(models.TextChoices):
    USAGER = "usager", _("User (usager)")
    A = "A", _("Agent, category A")
    B = "B", _("Agent, category B")
    C = "C", _("Agent, category C")
    OTHER = "-", _("Agent, other status")


class Visibility(models.TextChoices):
    ORGANIZATION = "organization", _("Inside the organization")
    PUBLIC = "public", _("Public")


class Idea(Moderated):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("call for ideas"), on_delete=models.CASCADE, related_name="ideas"
    )
    # the organization the idea belongs to: the author's (agents) or the campaign's
    organization = models.ForeignKey(
        "territory.Organization", on_delete=models.CASCADE, related_name="ideas"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    # an agent who typed the idea of a user met at the counter (the user is the author
    # when they have an account, otherwise nobody is and the agent follows it)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    on_behalf_of_user = models.BooleanField(_("submitted on behalf of a user"), default=False)
    coauthors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="coauthored_ideas"
    )
    author_category = models.CharField(max_length=6, choices=AuthorCategory.choices)
    author_organization = models.ForeignKey(
        "territory.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_service = models.ForeignKey(
        "territory.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    problem = models.TextField(_("the problem observed"), max_length=PROBLEM_MAX)
    proposal = models.TextField(_("the proposal"), max_length=PROPOSAL_MAX)
    benefit = models.TextField(_("the expected benefit for users"), max_length=BENEFIT_MAX)
    decision_level = models.CharField(
        _("who should decide"), max_length=10, choices=DecisionLevel.choices
    )
    services = models.ManyToManyField(
        "territory.Service", verbose_name=_("services concerned"), blank=True, related_name="+"
    )
    theme = models.ForeignKey(
        "voices.Theme", verbose_name=_("theme"), null=True, blank=True, on_delete=models.SET_NULL
    )
    visibility = models.CharField(
        _("visible to"), max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.SUBMITTED
    )
    is_quick_win = models.BooleanField(_("quick win"), default=False)
    awaiting_moderation = models.BooleanField(default=False)
    version = models.PositiveSmallIntegerField(default=1)
    support_count = models.PositiveIntegerField(default=0)
    comment_count = models.PositiveIntegerField(default=0)
    follower_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("submitted on"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    review_started_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(_("decided on"), null=True, blank=True)
    decision_text = models.TextField(_("decision"), max_length=DECISION_MAX, blank=True)
    decision_signature = models.CharField(_("signed"), max_length=250, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_ideas"
    )

    class Meta:
        verbose_name = _("idea")
        verbose_name_plural = _("ideas")
        ordering = ["-support_count", "-id"]
        indexes = [
            models.Index(
                fields=["campaign", "-support_count", "-id"], name="idea_campaign_supports"
            ),
            models.Index(fields=["campaign", "-created_at", "-id"], name="idea_campaign_recent"),
            models.Index(
                fields=["campaign", "-comment_count", "-id"], name="idea_campaign_comments"
            ),
            models.Index(fields=["campaign", "state"], name="idea_campaign_state"),
            models.Index(
                fields=["organization", "-support_count", "-id"], name="idea_org_supports"
            ),
            models.Index(fields=["author", "-created_at"], name="idea_author"),
            models.Index(fields=["updated_at"], name="idea_updated"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ideas:detail", args=[self.pk])

    # Moderated
    def moderation_organization_id(self) -> int:
        return self.campaign.organization_id

    def moderation_excerpt(self) -> str:
        return self.title

    def moderation_author(self):
        return self.author

    def moderation_url(self) -> str:
        return self.get_absolute_url()


class IdeaVersion(models.Model):
    """The text of an idea as it was; a new one each time the author changes it after
    the review started (before, edits replace the first version)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=TITLE_MAX)
    problem = models.TextField(max_length=PROBLEM_MAX)
    proposal = models.TextField(max_length=PROPOSAL_MAX)
    benefit = models.TextField(max_length=BENEFIT_MAX)
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["idea", "number"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "number"], name="one_version_number_per_idea")
        ]

    def __str__(self) -> str:
        return f"{self.idea_id} v{self.number}"


class Support(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="one_support_per_person")
        ]
        indexes = [models.Index(fields=["user", "idea"], name="support_user")]

    def __str__(self) -> str:
        return f"{self.user_id} supports {self.idea_id}"


class Follow(models.Model):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["idea", "user"], name="one_follow_per_person")
        ]
        indexes = [models.Index(fields=["user", "idea"], name="follow_user")]

    def __str__(self) -> str:
        return f"{self.user_id} follows {self.idea_id}"


class Comment(Moderated):
    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "Agent, Ville de …" or "Usager": how the author is presented, fixed when written
    author_label = models.CharField(max_length=200, blank=True)
    text = models.TextField(_("comment"), max_length=COMMENT_MAX)
    depth = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["idea", "created_at", "id"], name="comment_idea")]

    def __str__(self) -> str:
        return self.text[:60]

    def moderation_organization_id(self) -> int:
        return self.idea.campaign.organization_id

    def moderation_excerpt(self) -> str:
        return self.text[:200]

    def moderation_author(self):
        return self.author

    def moderation_url(self) -> str:
        """The idea page at the page of threads holding this comment."""
        return self.idea.get_absolute_url() + f"?commentaire={self.pk}#commentaire-{self.pk}"


class Feasibility(models.TextChoices):
    EASY = "easy", _("Easy to do")
    MODERATE = "moderate", _("Feasible with effort")
    HARD = "hard", _("Difficult")
    NOT_FEASIBLE = "not_feasible", _("Not feasible as it stands")


class CostBand(models.TextChoices):
    NONE = "none", _("No cost (organization only)")
    LOW = "low", _("Under €5,000")
    MEDIUM = "medium", _("€5,000 to €50,000")
    HIGH = "high", _("€50,000 to €500,000")
    VERY_HIGH = "very_high", _("Over €500,000")


class Impact(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Recommendation(models.TextChoices):
    RETAIN = "retain", _("Retain")
    EXPERIMENT = "experiment", _("Experiment first")
    REWORK = "rework", _("Rework the idea")
    REJECT = "reject", _("Do not retain")


class Review(models.Model):
    """One démineur's expert opinion on one idea (the assignment, then the opinion)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="reviews")
    # emptied when the person's account is erased: the opinion stays, signed by function
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="idea_reviews",
    )
    expert_label = models.CharField(_("signed as"), max_length=250, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("opinion due on"))
    feasibility = models.CharField(
        _("feasibility"), max_length=15, choices=Feasibility.choices, blank=True
    )
    cost_band = models.CharField(_("cost"), max_length=10, choices=CostBand.choices, blank=True)
    constraints = models.TextField(_("legal or technical constraints"), max_length=3000, blank=True)
    impact = models.CharField(
        _("impact for users"), max_length=10, choices=Impact.choices, blank=True
    )
    recommendation = models.CharField(
        _("recommendation"), max_length=12, choices=Recommendation.choices, blank=True
    )
    text = models.TextField(_("opinion"), max_length=5000, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # daily job `ideas.remind_reviewers`: one reminder before the deadline, one when late
    reminded_at = models.DateTimeField(null=True, blank=True)
    late_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "expert"], name="one_review_per_expert")
        ]
        indexes = [models.Index(fields=["expert", "submitted_at", "due_on"], name="review_queue")]

    def __str__(self) -> str:
        return f"review of {self.idea_id} by {self.expert_id}"

    @property
    def is_given(self) -> bool:
        return self.submitted_at is not None

    def is_late(self, today=None) -> bool:
        today = today or timezone.localdate()
        return not self.is_given and self.due_on < today
