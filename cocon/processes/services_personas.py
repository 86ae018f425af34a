"""Writes of the personas: cards and their quotes. A quote comes from real words: a
voice the editor may see, of the process's territory (linked to the process on the fly),
a proposal of the process, or at least a named source (interview, workshop)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from cocon.core.permissions import can
from cocon.lib.population import AGE_BANDS
from cocon.processes.models import Process, ProcessVoice
from cocon.processes.models.personas import Persona, PersonaQuote

FIELDS = ("name", "age_band", "situation", "needs", "pains", "journey")
MAX_JOURNEY_STEPS = 30


def _clean(values: dict) -> dict:
    values = {k: (values.get(k) or "").strip() for k in FIELDS}
    errors = {}
    if not values["name"]:
        errors["name"] = _("Give the persona a name.")
    if not values["situation"]:
        errors["situation"] = _("Describe the persona's situation.")
    if values["age_band"] and values["age_band"] not in AGE_BANDS:
        errors["age_band"] = _("Choose an age band from the list.")
    steps = [line for line in values["journey"].splitlines() if line.strip()]
    if len(steps) > MAX_JOURNEY_STEPS:
        errors["journey"] = _("A journey has at most %(n)s steps.") % {"n": MAX_JOURNEY_STEPS}
    values["journey"] = "\n".join(line.strip() for line in steps)
    if errors:
        raise ValidationError(errors)
    return values


def persona_create(*, process: Process, actor, published: bool = False, **fields) -> Persona:
    values = _clean(fields)
    with transaction.atomic():
        last = process.personas.aggregate(m=Max("position"))["m"] or 0
        return Persona.objects.create(
            process=process,
            position=last + 1,
            published=published,
            created_by=actor,
            **values,
        )


def persona_update(persona: Persona, *, actor, published: bool, **fields) -> Persona:
    values = _clean(fields)
    for name, value in values.items():
        setattr(persona, name, value)
    persona.published = published
    persona.updated_at = timezone.now()
    persona.save()
    return persona


def persona_delete(persona: Persona, *, actor) -> None:
    persona.delete()


def normalize_reference(text: str) -> str:
    """ "v-abcd-efgh", " ABCD-EFGH " and "abcdefgh" all give "ABCD-EFGH"."""
    ref = (text or "").strip().upper().replace(" ", "")
    if ref.startswith("V-") and len(ref) == 11:
        ref = ref[2:]
    if len(ref) == 8 and "-" not in ref:
        ref = f"{ref[:4]}-{ref[4:]}"
    return ref


def _voice_for(process: Process, actor, reference: str):
    from cocon.voices.models import Voice

    voice = (
        Voice.objects.select_related("service")
        .prefetch_related("shares__service")
        .filter(reference=normalize_reference(reference))
        .first()
    )
    # a voice the editor may not see is reported as unknown (its existence is private)
    if voice is None or not can(actor, "voices.view", voice):
        raise ValidationError(
            {
                "voice_reference": _("No voice you may see has the reference %(ref)s.")
                % {"ref": reference.strip()}
            }
        )
    if voice.territory_id != process.territory_id:
        raise ValidationError(
            {"voice_reference": _("This voice belongs to another territory than the process.")}
        )
    return voice


def quote_add(
    persona: Persona,
    *,
    actor,
    text: str = "",
    voice_reference: str = "",
    idea_id: int | None = None,
    source_label: str = "",
) -> PersonaQuote:
    process = persona.process
    text = (text or "").strip()
    source_label = (source_label or "").strip()
    voice = _voice_for(process, actor, voice_reference) if (voice_reference or "").strip() else None
    idea = None
    if idea_id:
        from cocon.ideas.models import Idea

        idea = Idea.objects.filter(pk=idea_id, campaign_id=process.campaign_id).first()
        if idea is None or not process.campaign_id:
            raise ValidationError({"idea": _("Choose a proposal of this process.")})
    if not text and voice is not None:
        text = voice.text[:1000]
    errors = {}
    if not text:
        errors["text"] = _("Write the quote.")
    elif len(text) > 1000:
        errors["text"] = _("A quote has at most 1,000 characters.")
    if voice is None and idea is None and not source_label:
        errors["source_label"] = _(
            "Say where the quote comes from: a voice, a proposal or a source such as "
            "« entretien du 12 mars »."
        )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if voice is not None:
            ProcessVoice.objects.get_or_create(
                process=process, voice=voice, defaults={"linked_by": actor}
            )
        last = persona.quotes.aggregate(m=Max("position"))["m"] or 0
        quote = PersonaQuote.objects.create(
            persona=persona,
            text=text,
            voice=voice,
            idea=idea,
            source_label=source_label[:200],
            position=last + 1,
            created_by=actor,
        )
        Persona.objects.filter(pk=persona.pk).update(updated_at=timezone.now())
    return quote


def quote_delete(quote: PersonaQuote, *, actor) -> None:
    quote.delete()
