"""Paroles fixtures: themes and routing rules on top of the shared `world`."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from cocon.voices.models import RoutingRule, Theme
from cocon.voices.services import voice_capture


@pytest.fixture
def routing(world):
    """Water and waste themes; org A routes them to its services, org B routes
    everything to its social service."""
    water = Theme.objects.create(
        territory=world.territory,
        name="Eau",
        slug="eau",
        keywords="eau, robinet, fuite, facture d'eau",
    )
    waste = Theme.objects.create(
        territory=world.territory,
        name="Déchets",
        slug="dechets",
        keywords="poubelle, ordures, collecte, encombrants",
    )
    social = Theme.objects.create(
        territory=world.territory, name="Social", slug="social", keywords="rsa, aide sociale, apa"
    )
    RoutingRule.objects.create(organization=world.org_a, theme=water, service=world.water)
    RoutingRule.objects.create(organization=world.org_a, theme=waste, service=world.waste)
    RoutingRule.objects.create(organization=world.org_a, service=world.water)  # catch-all
    RoutingRule.objects.create(organization=world.org_b, theme=social, service=world.social_b)
    RoutingRule.objects.create(organization=world.org_b, service=world.social_b)
    return {"water": water, "waste": waste, "social": social}


@pytest.fixture
def capture(world, routing):
    """capture(service=..., **fields) → Captured, with sensible defaults."""

    def make(**fields):
        defaults = {
            "territory": world.territory,
            "kind": "complaint",
            "text": "La fuite d'eau rue des Lilas n'est toujours pas réparée.",
            "channel": "web",
            "service": world.water,
        }
        defaults.update(fields)
        return voice_capture(**defaults)

    return make


def image_bytes(fmt="JPEG", size=(64, 48), exif_gps=False) -> bytes:
    image = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"  # Make
        exif[0x0110] = "SecretPhone 9"  # Model
        exif[0x8825] = {1: "N", 2: (45.0, 10.0, 0.0)}  # GPSInfo
        image.save(out, format=fmt, exif=exif)
    else:
        image.save(out, format=fmt)
    return out.getvalue()
