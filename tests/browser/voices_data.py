"""Paroles data for the browser tests, on top of the demo territory.

The demo may or may not hold voices, themes and routing rules (the loader grows with the
modules): everything here is created idempotently, so the screens have what they show
whatever the demo already contains.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

AGGLO = "agglo-val-de-lise"
VILLE = "ville-de-montlise"
WATER = "eau-assainissement"  # managed by manager@, covered by the delegation of elu@


@dataclass
class VoiceRef:
    reference: str
    code: str


def territory():
    from cocon.territory.models import Territory

    return Territory.objects.get(slug="val-de-lise")


def service(org_slug: str, slug: str):
    from cocon.territory.models import Service

    return Service.objects.select_related("organization").get(
        organization__slug=org_slug, slug=slug
    )


def user(email: str):
    from cocon.accounts.models import User

    return User.objects.get(email=email)


def routing() -> None:
    """A water theme routed to the water service of the agglomeration (so that a message
    about a leak finds its service without the person choosing it)."""
    from cocon.territory.models import Organization
    from cocon.voices.models import RoutingRule, Theme

    agglo = Organization.objects.get(slug=AGGLO)
    water = service(AGGLO, WATER)
    theme = Theme.objects.filter(territory=territory(), slug="eau-test").first()
    if theme is None:
        theme = Theme.objects.create(
            territory=territory(),
            name="Eau potable",
            slug="eau-test",
            keywords="fuite, fuite d'eau, compteur d'eau, robinet, canalisation",
        )
    RoutingRule.objects.get_or_create(
        organization=agglo, kind="", theme=theme, defaults={"service": water}
    )


def jpeg(size=(320, 240)):
    from django.core.files.uploadedfile import SimpleUploadedFile

    out = io.BytesIO()
    Image.new("RGB", size, (40, 110, 160)).save(out, format="JPEG")
    return SimpleUploadedFile("fuite.jpg", out.getvalue(), content_type="image/jpeg")


def capture(**fields) -> VoiceRef:
    """One voice through the real service (history, notifications and all), relayed at
    the counter by the France services agent of the agglomeration by default."""
    from cocon.voices.services import voice_capture

    routing()
    defaults = {
        "territory": territory(),
        "kind": "complaint",
        "text": (
            "Une fuite d'eau coule depuis trois jours devant le 12 rue des Tisserands : "
            "le trottoir est glissant et l'eau part dans le caniveau."
        ),
        "channel": "counter",
        "capture_mode": "relayed",
        "service": service(AGGLO, WATER),
        "relay": user("agent@demo.cocon.test"),
        "address": "12 rue des Tisserands, Montlise",
    }
    defaults.update(fields)
    captured = voice_capture(**defaults)
    return VoiceRef(captured.voice.reference, captured.tracking_code)


def answer(ref: VoiceRef, text: str = "") -> None:
    from cocon.voices.models import Voice
    from cocon.voices.services import voice_set_status

    voice_set_status(
        Voice.objects.get(reference=ref.reference),
        actor=user("manager@demo.cocon.test"),
        status="answered",
        text=text or "Merci : nos fontainiers sont intervenus ce matin, la fuite est réparée.",
    )


def remove_photos() -> None:
    """Attachments are files on disk (outside the database the tests flush)."""
    from cocon.core.models import Attachment

    for attachment in Attachment.objects.all():
        attachment.file.delete(save=False)
