"""Writes of the decisions domain: decisions on the proposals of a process, the feedback
synthesis (published and notified once to every participant) and the action programme.

Every function validates everything first (French messages keyed by field), then writes
in one transaction; nothing partial is written. Views check the permission rules; the
services re-check what would corrupt data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cocon.core import history, notifications
from cocon.core.outbox import queue_email
from cocon.core.permissions import can
from cocon.ideas import services as idea_services
from cocon.ideas.models import Idea, State
from cocon.processes.models import Process
from cocon.processes.models.decisions import (
    AUTHORITY_MAX,
    REASON_MAX,
    RETAINED_OUTCOMES,
    Action,
    ActionStatus,
    BudgetBand,
    Milestone,
    Outcome,
    ProposalDecision,
    Synthesis,
)

FOLLOW_UP_STATES = {State.IMPLEMENTING, State.IMPLEMENTED, State.EVALUATED}


def _add(errors: dict, field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def _text(errors: dict, field: str, value, maximum: int, *, required: bool, message: str = ""):
    value = (value or "").strip()
    if required and not value:
        _add(errors, field, message or _("This field is required."))
    elif len(value) > maximum:
        _add(
            errors,
            field,
            _("The text is too long (%(max)s characters at most, %(n)s given).")
            % {"max": maximum, "n": len(value)},
        )
    return value


# --- decisions ----------------------------------------------------------------------------
def _validate_decision(
    errors: dict, *, outcome, reason, changes, authority, decided_on
) -> tuple[str, str, str]:
    if outcome not in Outcome.values:
        _add(errors, "outcome", _("Choose a decision."))
    reason = _text(
        errors,
        "reason",
        reason,
        REASON_MAX,
        required=True,
        message=_("A decision must give its reason: participants will read it."),
    )
    changes = _text(
        errors,
        "changes",
        changes,
        REASON_MAX,
        required=outcome == Outcome.RETAINED_WITH_CHANGES,
        message=_("Say what changes are made to the proposal."),
    )
    if outcome != Outcome.RETAINED_WITH_CHANGES:
        changes = ""
    authority = _text(
        errors,
        "authority",
        authority,
        AUTHORITY_MAX,
        required=True,
        message=_("Say who decided, e.g. « Conseil communautaire du 12 mai 2026 »."),
    )
    if not isinstance(decided_on, dt.date):
        _add(errors, "decided_on", _("Give the date of the decision."))
    elif decided_on > timezone.localdate():
        _add(errors, "decided_on", _("A decision cannot be dated in the future."))
    return reason, changes, authority


def _proposal_problem(process: Process, idea: Idea, outcome: str) -> str | None:
    """Why this idea cannot take this decision in this process (None: it can)."""
    if process.campaign_id is None or idea.campaign_id != process.campaign_id:
        return _("This proposal does not belong to the process.")
    if idea.state == State.MERGED:
        return _("This proposal was merged into another one: decide on that one.")
    if outcome not in RETAINED_OUTCOMES and idea.process_actions.exists():
        return _(
            "An action of the programme implements this proposal: "
            "remove it from the action before rejecting it."
        )
    return None


def _idea_text(reason: str, changes: str) -> str:
    if not changes:
        return reason
    return f"{reason}\n\n" + _("Changes: %(changes)s") % {"changes": changes}


def _apply(
    process: Process,
    idea: Idea,
    *,
    actor,
    outcome: str,
    reason: str,
    changes: str,
    authority: str,
    decided_on: dt.date,
    now,
) -> ProposalDecision:
    decision = ProposalDecision.objects.filter(idea=idea).first()
    values = {
        "outcome": outcome,
        "reason": reason,
        "changes": changes,
        "authority": authority,
        "decided_on": decided_on,
    }
    if decision is not None and all(getattr(decision, k) == v for k, v in values.items()):
        return decision  # nothing changed: nobody is told twice
    if decision is None:
        decision = ProposalDecision(
            process=process, idea=idea, created_at=now, decided_by=actor, **values
        )
        decision.updated_at = now
        decision.save()
        history.record(
            decision,
            action="decided",
            actor=actor,
            actor_label=authority,
            to_status=outcome,
            public_text=reason,
            at=now,
        )
    else:
        previous = {k: str(getattr(decision, k)) for k in values}
        for k, v in values.items():
            setattr(decision, k, v)
        decision.decided_by = actor
        decision.updated_at = now
        decision.save()
        history.record(
            decision,
            action="decision_changed",
            actor=actor,
            actor_label=authority,
            from_status=previous["outcome"],
            to_status=outcome,
            public_text=reason,
            data={"previous": previous},
            at=now,
        )
    if outcome in RETAINED_OUTCOMES:
        state = idea.state if idea.state in FOLLOW_UP_STATES else State.RETAINED
    else:
        state = State.REJECTED
    # Idées' own `idea_decide` refuses an idea already decided and checks the Idées
    # delegation (`ideas.decide`); a process decision is taken by the process's deciders
    # (`processes.decide`, checked by the caller) and may be revised, so the decision is
    # applied through the lower-level `_apply_decision`: same fields, same status history,
    # same notice to the author, co-authors and followers as any idea decision.
    idea_services._apply_decision(
        idea,
        actor=actor,
        state=state,
        text=_idea_text(reason, changes),
        signature=authority,
        merge_into=None,
        quick_win=None,
        now=now,
    )
    return decision


def _require_decider(actor, process: Process) -> None:
    if not can(actor, "processes.decide", process):
        raise PermissionDenied("processes.decide")


@transaction.atomic
def decision_save(
    *,
    process: Process,
    idea: Idea,
    actor,
    outcome: str,
    reason: str,
    authority: str,
    decided_on: dt.date,
    changes: str = "",
) -> ProposalDecision:
    """Decide (or revise the decision on) one proposal; the idea takes the decision."""
    _require_decider(actor, process)
    errors: dict = {}
    reason, changes, authority = _validate_decision(
        errors,
        outcome=outcome,
        reason=reason,
        changes=changes,
        authority=authority,
        decided_on=decided_on,
    )
    if outcome in Outcome.values:
        problem = _proposal_problem(process, idea, outcome)
        if problem:
            _add(errors, "outcome", problem)
    if errors:
        raise ValidationError(errors)
    return _apply(
        process,
        idea,
        actor=actor,
        outcome=outcome,
        reason=reason,
        changes=changes,
        authority=authority,
        decided_on=decided_on,
        now=timezone.now(),
    )


@transaction.atomic
def decisions_bulk(
    *,
    process: Process,
    ideas: Iterable[Idea],
    actor,
    outcome: str,
    reason: str,
    authority: str,
    decided_on: dt.date,
    changes: str = "",
) -> list[ProposalDecision]:
    """One decision for several proposals (e.g. the twelve out of scope). All or
    nothing: if one proposal cannot take it, nothing is written and the error names it."""
    _require_decider(actor, process)
    ideas = list(ideas)
    errors: dict = {}
    if not ideas:
        _add(errors, "ideas", _("Select at least one proposal."))
    reason, changes, authority = _validate_decision(
        errors,
        outcome=outcome,
        reason=reason,
        changes=changes,
        authority=authority,
        decided_on=decided_on,
    )
    if outcome in Outcome.values:
        for idea in ideas:
            problem = _proposal_problem(process, idea, outcome)
            if problem:
                _add(errors, "ideas", f"« {idea.title} » : {problem}")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    return [
        _apply(
            process,
            idea,
            actor=actor,
            outcome=outcome,
            reason=reason,
            changes=changes,
            authority=authority,
            decided_on=decided_on,
            now=now,
        )
        for idea in ideas
    ]


# --- synthesis ----------------------------------------------------------------------------
def _synthesis_of(process: Process) -> Synthesis:
    synthesis, _created = Synthesis.objects.select_for_update().get_or_create(process=process)
    return synthesis


@transaction.atomic
def synthesis_save(*, process: Process, actor, introduction: str) -> Synthesis:
    if not can(actor, "processes.manage", process):
        raise PermissionDenied("processes.manage")
    errors: dict = {}
    introduction = _text(errors, "introduction", introduction, 10000, required=False)
    if errors:
        raise ValidationError(errors)
    synthesis = _synthesis_of(process)
    synthesis.introduction = introduction
    synthesis.updated_at = timezone.now()
    synthesis.save(update_fields=["introduction", "updated_at"])
    return synthesis


def _registrants(process: Process) -> list[dict]:
    """The people registered to the process's events, one entry per person, with an
    email only when they consented (owned by the events domain)."""
    from cocon.processes import selectors_events

    return list(selectors_events.participants(process))


def participants(process: Process) -> tuple[set[int], set[int], list[str]]:
    """Everyone who took part, each person once: (account holders, those of them who
    agreed to be emailed at registration, emails of people without an account who
    agreed). Authors and co-authors of the proposals, people registered to the events,
    authors of the voices linked to the process."""
    from cocon.accounts.models import User
    from cocon.processes.models import ProcessVoice

    user_ids: set[int] = set()
    if process.campaign_id:
        ideas = Idea.objects.filter(campaign_id=process.campaign_id)
        user_ids |= set(ideas.exclude(author=None).values_list("author_id", flat=True))
        user_ids |= set(
            Idea.coauthors.through.objects.filter(
                idea__campaign_id=process.campaign_id
            ).values_list("user_id", flat=True)
        )
    user_ids |= set(
        ProcessVoice.objects.filter(process=process, voice__author__isnull=False).values_list(
            "voice__author_id", flat=True
        )
    )
    consenting: set[int] = set()
    outside: dict[str, str] = {}
    for row in _registrants(process):
        if row.get("user_id"):
            user_ids.add(row["user_id"])
            if row.get("email"):
                consenting.add(row["user_id"])
        elif row.get("email"):
            outside.setdefault(row["email"].strip().lower(), row["email"].strip())
    if outside:
        known = {
            e.lower() for e in User.objects.filter(pk__in=user_ids).values_list("email", flat=True)
        }
        # a registrant without account whose email is an account's: that account is told
        for email in list(outside):
            if email in known:
                del outside[email]
    return user_ids, consenting & user_ids, sorted(outside.values())


def _notify_participants(process: Process, synthesis: Synthesis) -> tuple[int, int, int]:
    from cocon.accounts.models import User

    user_ids, consenting, emails = participants(process)
    url = reverse("processes:synthesis", args=[process.slug])
    title = _("« %(title)s »: what was decided on your proposals, and why") % {
        "title": process.title
    }
    body = _(
        "The synthesis of the process is published: what you proposed, what was decided "
        "and why, and the action programme."
    )
    people = notifications.recipients_of(User.objects.filter(pk__in=user_ids))
    in_app = 0
    for group, default in (
        ([p for p in people if p.pk in consenting], notifications.Email.IMMEDIATE),
        ([p for p in people if p.pk not in consenting], notifications.Email.DAILY),
    ):
        in_app += len(
            notifications.notify(
                group,
                kind="processes.synthesis",
                title=title,
                body=body,
                url=url,
                obj=synthesis,
                default_email=default,
            )
        )
    text = f"{body}\n\n{notifications.absolute(url)}\n"
    for email in emails:
        queue_email(to=email, subject=title, body=text)
    return in_app + len(emails), len(emails), in_app


@transaction.atomic
def synthesis_publish(*, process: Process, actor, notify_again: bool = False) -> Synthesis:
    """Publish once every proposal has a decision. The first publication tells every
    participant once; a later one tells them again only when asked to."""
    if not can(actor, "processes.manage", process):
        raise PermissionDenied("processes.manage")
    from cocon.processes.selectors_decisions import proposals

    undecided = proposals(process).filter(process_decision__isnull=True).count()
    if undecided:
        raise ValidationError(
            {
                "__all__": [
                    ngettext(
                        "%(n)s proposal has no decision yet: decide on every proposal "
                        "before publishing the synthesis.",
                        "%(n)s proposals have no decision yet: decide on every proposal "
                        "before publishing the synthesis.",
                        undecided,
                    )
                    % {"n": undecided}
                ]
            }
        )
    synthesis = _synthesis_of(process)
    now = timezone.now()
    first = synthesis.published_at is None
    synthesis.published_at = now
    synthesis.published_by = actor
    synthesis.updated_at = now
    if first or notify_again or synthesis.notified_at is None:
        people, emails, in_app = _notify_participants(process, synthesis)
        synthesis.notified_at = now
        synthesis.recipients_count = people
        synthesis.emails_count = emails
        synthesis.in_app_count = in_app
    synthesis.save()
    history.record(
        synthesis,
        action="published" if first else "republished",
        actor=actor,
        data={"notified": synthesis.notified_at == now, "recipients": synthesis.recipients_count},
        at=now,
    )
    return synthesis


# --- action programme ---------------------------------------------------------------------
ACTION_FIELDS = (
    "title",
    "description",
    "service",
    "owner",
    "owner_function",
    "budget_band",
    "starts_on",
    "due_on",
)


def _owner_function(owner) -> str:
    profile = getattr(owner, "agent_profile", None) if owner else None
    return profile.job_title if profile else ""


def _validate_action(process: Process, ideas, data: dict) -> tuple[dict, list[Idea]]:
    errors: dict = {}
    clean = {}
    clean["title"] = _text(errors, "title", data.get("title"), 200, required=True)
    clean["description"] = _text(
        errors, "description", data.get("description"), 5000, required=False
    )
    clean["owner_function"] = _text(
        errors, "owner_function", data.get("owner_function"), 200, required=False
    )
    service = data.get("service")
    if service is None:
        _add(errors, "service", _("Choose the service in charge."))
    elif service.organization_id not in process.organization_ids:
        _add(errors, "service", _("The service must belong to an organization of the process."))
    clean["service"] = service
    clean["owner"] = data.get("owner")
    if not clean["owner_function"] and clean["owner"] is not None:
        clean["owner_function"] = _owner_function(clean["owner"])
    band = data.get("budget_band") or BudgetBand.NONE
    if band not in BudgetBand.values:
        _add(errors, "budget_band", _("Choose a budget band."))
    clean["budget_band"] = band
    clean["starts_on"] = data.get("starts_on")
    clean["due_on"] = data.get("due_on")
    if clean["starts_on"] and clean["due_on"] and clean["due_on"] < clean["starts_on"]:
        _add(errors, "due_on", _("The due date must come after the start date."))
    ideas = list(ideas)
    if not ideas:
        _add(errors, "ideas", _("Choose at least one retained proposal."))
    decided = dict(
        ProposalDecision.objects.filter(idea__in=ideas, process=process).values_list(
            "idea_id", "outcome"
        )
    )
    for idea in ideas:
        if idea.campaign_id != process.campaign_id:
            _add(errors, "ideas", f"« {idea.title} » : " + _("not a proposal of the process."))
        elif decided.get(idea.pk) not in RETAINED_OUTCOMES:
            _add(
                errors,
                "ideas",
                f"« {idea.title} » : "
                + _("only a retained proposal can become an action of the programme."),
            )
    return (errors, clean), ideas


@transaction.atomic
def action_create(*, process: Process, actor, ideas: Iterable[Idea], **data) -> Action:
    """An action of the programme from one or several retained proposals."""
    if not can(actor, "processes.manage", process):
        raise PermissionDenied("processes.manage")
    (errors, clean), ideas = _validate_action(process, ideas, data)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    action = Action.objects.create(
        process=process, created_by=actor, created_at=now, updated_at=now, **clean
    )
    action.ideas.set(ideas)
    history.record(action, action="created", actor=actor, to_status=action.status, at=now)
    return action


@transaction.atomic
def action_edit(action: Action, *, actor, ideas: Iterable[Idea], **data) -> Action:
    if not can(actor, "processes.manage", action.process):
        raise PermissionDenied("processes.manage")
    (errors, clean), ideas = _validate_action(action.process, ideas, data)
    if errors:
        raise ValidationError(errors)
    for k, v in clean.items():
        setattr(action, k, v)
    action.updated_at = timezone.now()
    action.save()
    action.ideas.set(ideas)
    history.record(action, action="edited", actor=actor)
    return action


@transaction.atomic
def action_update(
    action: Action, *, actor, status: str, progress: int, abandon_reason: str = ""
) -> Action:
    """Progress and status, by the service. 100 % means done and done means 100 %;
    abandoning needs a public reason."""
    if not can(actor, "processes.update_action", action):
        raise PermissionDenied("processes.update_action")
    errors: dict = {}
    if status not in ActionStatus.values:
        _add(errors, "status", _("Choose a status."))
    if not isinstance(progress, int) or isinstance(progress, bool) or not 0 <= progress <= 100:
        _add(errors, "progress", _("The progress is a percentage between 0 and 100."))
    abandon_reason = _text(
        errors,
        "abandon_reason",
        abandon_reason,
        5000,
        required=status == ActionStatus.ABANDONED,
        message=_("Say why the action is abandoned: the public will read it."),
    )
    if not errors:
        if status == ActionStatus.DONE and progress != 100:
            _add(errors, "progress", _("A done action is at 100 %."))
        elif progress == 100 and status != ActionStatus.DONE:
            _add(errors, "status", _("An action at 100 percent is done: choose « Done »."))
    if errors:
        raise ValidationError(errors)
    previous = (action.status, action.progress)
    action.status = status
    action.progress = progress
    action.abandon_reason = abandon_reason if status == ActionStatus.ABANDONED else ""
    action.updated_at = timezone.now()
    action.save(update_fields=["status", "progress", "abandon_reason", "updated_at"])
    if previous != (status, progress):
        history.record(
            action,
            action="progress",
            actor=actor,
            from_status=previous[0],
            to_status=status,
            public_text=action.abandon_reason,
            data={"from_progress": previous[1], "progress": progress},
        )
    return action


@transaction.atomic
def milestone_add(action: Action, *, actor, title: str, due_on: dt.date | None) -> Milestone:
    if not can(actor, "processes.update_action", action):
        raise PermissionDenied("processes.update_action")
    errors: dict = {}
    title = _text(errors, "title", title, 200, required=True)
    if not isinstance(due_on, dt.date):
        _add(errors, "due_on", _("Give the date of the milestone."))
    if errors:
        raise ValidationError(errors)
    milestone = Milestone.objects.create(action=action, title=title, due_on=due_on)
    Action.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    history.record(action, action="milestone_added", actor=actor, data={"title": title})
    return milestone


@transaction.atomic
def milestone_complete(milestone: Milestone, *, actor, done_on: dt.date | None = None) -> Milestone:
    action = milestone.action
    if not can(actor, "processes.update_action", action):
        raise PermissionDenied("processes.update_action")
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ValidationError({"done_on": [_("A milestone cannot be done in the future.")]})
    if milestone.done_on:
        return milestone
    milestone.done_on = done_on
    milestone.save(update_fields=["done_on"])
    Action.objects.filter(pk=action.pk).update(updated_at=timezone.now())
    history.record(action, action="milestone_done", actor=actor, data={"title": milestone.title})
    return milestone
