"""Reads of the personas: cards of a process (published ones for everyone, all of them
for those who manage it), quotes with their sources, and which quoted voices the reader
may open."""

from __future__ import annotations

from django.db.models import Prefetch

from cocon.core.permissions import can, grants_of
from cocon.processes.models import ProcessVoice
from cocon.processes.models.personas import Persona, PersonaQuote

MAX_LINKED_VOICES = 200


def personas_of(process, *, include_unpublished: bool):
    qs = Persona.objects.filter(process=process)
    if not include_unpublished:
        qs = qs.filter(published=True)
    return qs.order_by("position", "pk")


def quotes_queryset():
    return PersonaQuote.objects.select_related("voice", "voice__service", "idea").prefetch_related(
        "voice__shares__service"
    )


def with_quotes(qs):
    return qs.prefetch_related(Prefetch("quotes", queryset=quotes_queryset()))


def mark_sources(quotes, user) -> None:
    """quote.voice_visible: the reader may open the quoted voice (staff in scope). The
    others see that a voice is behind the quote, not which one."""
    authenticated = grants_of(user).is_authenticated
    for quote in quotes:
        quote.voice_visible = bool(
            quote.voice_id and authenticated and can(user, "voices.view", quote.voice)
        )


def linked_voices(process, user) -> list:
    """The voices linked to the process that `user` may see (to pick a quote from)."""
    from cocon.voices.models import Voice
    from cocon.voices.rules import scope_of

    linked = ProcessVoice.objects.filter(process=process).values("voice_id")
    visible = (
        Voice.objects.filter(scope_of(grants_of(user)).q())
        .filter(pk__in=linked)
        .only("pk", "reference", "text", "kind", "created_at")
        .order_by("-created_at", "-pk")
    )
    return list(visible[:MAX_LINKED_VOICES])


def public_section(process, user) -> dict:
    """Context for `processes/personas/_public.html`: the published cards (one query)."""
    personas = list(
        personas_of(process, include_unpublished=False).only(
            "pk", "name", "age_band", "situation", "process_id"
        )
    )
    if not personas:
        return {}
    return {"personas_cards": personas}
