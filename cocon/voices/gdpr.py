"""What Paroles holds about a person (GDPR export) and how it forgets them (erasure).

On erasure the voices a person wrote keep their statistical skeleton (kind, service,
dates, status) so that dashboards stay true, but their text, photos, contact and profile
are deleted. Voices an agent relayed stay: the words are the user's, not the agent's.
"""

from __future__ import annotations

from cocon.core.gdpr import register_eraser, register_exporter
from cocon.core.models import Notification
from cocon.voices.models import Voice, VoiceContact, VoiceProfile

ERASED_TEXT = "[texte effacé à la demande de la personne]"


@register_exporter("voices")
def export_voices(user):
    rows = []
    voices = (
        Voice.objects.filter(author=user)
        .select_related("service", "organization", "contact", "profile")
        .order_by("created_at")
    )
    for voice in voices:
        contact = getattr(voice, "contact", None)
        rows.append(
            {
                "reference": voice.reference,
                "created_at": voice.created_at.isoformat(),
                "kind": voice.kind,
                "channel": voice.channel,
                "text": voice.text,
                "organization": voice.organization.name,
                "service": voice.service.name,
                "status": voice.status,
                "answer": voice.answer,
                "answered_at": voice.answered_at.isoformat() if voice.answered_at else None,
                "contact": (
                    {"name": contact.name, "email": contact.email, "phone": contact.phone}
                    if contact
                    else None
                ),
            }
        )
    return rows


@register_exporter("relayed_voices")
def export_relayed(user):
    return list(
        Voice.objects.filter(relay=user).values_list("reference", flat=True).order_by("reference")
    )


@register_exporter("notifications")
def export_notifications(user):
    return [
        {"date": n.created_at.isoformat(), "title": n.title, "read": n.read_at is not None}
        for n in Notification.objects.filter(recipient=user).order_by("created_at")[:5000]
    ]


@register_eraser("voices")
def erase_voices(user):
    from cocon.core.attachments import delete_attachments

    authored = list(Voice.objects.filter(author=user))
    for voice in authored:
        delete_attachments(voice)
    ids = [v.pk for v in authored]
    VoiceContact.objects.filter(voice_id__in=ids).delete()
    VoiceProfile.objects.filter(voice_id__in=ids).delete()
    Voice.objects.filter(pk__in=ids).update(
        text=ERASED_TEXT, author=None, address="", latitude=None, longitude=None
    )
    Voice.objects.filter(relay=user).update(relay=None)
