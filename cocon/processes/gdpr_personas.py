"""What the personas hold about a person: the cards and quotes they wrote (work records
of the team, kept, unlinked on erasure) and the quotes taken from their own voices.

On erasure the quotes taken from the person's voices are deleted: they are that
person's words, even if the persona around them is fictional.
"""

from __future__ import annotations

from cocon.core.gdpr import register_eraser, register_exporter
from cocon.processes.models.personas import Persona, PersonaQuote


@register_exporter("processes_personas")
def export_personas(user):
    return {
        "personas_written": list(
            Persona.objects.filter(created_by=user).values_list("name", flat=True)
        ),
        "quotes_written": PersonaQuote.objects.filter(created_by=user).count(),
        "quotes_from_my_voices": [
            {"persona": q.persona.name, "text": q.text, "voice": q.voice.reference}
            for q in PersonaQuote.objects.filter(voice__author=user).select_related(
                "persona", "voice"
            )
        ],
    }


@register_eraser("processes_personas")
def erase_personas(user):
    PersonaQuote.objects.filter(voice__author=user).delete()
    PersonaQuote.objects.filter(created_by=user).update(created_by=None)
    Persona.objects.filter(created_by=user).update(created_by=None)
