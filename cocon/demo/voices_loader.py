"""Demo voices: themes, routing rules, commitments and a few thousand voices over two
years (texts from `cocon.demo.voice_texts`), with their histories, answers, contacts,
profiles and read receipts. Written with bulk inserts so `make demo` stays quick."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils import timezone

from cocon.accounts.models import AgentProfile, Role, User
from cocon.core.models import ReadReceipt, StatusEvent
from cocon.demo import data
from cocon.demo import voice_texts as vt
from cocon.lib.workdays import add_working_days
from cocon.territory.models import Commune, Organization, Service, Territory
from cocon.voices.models import (
    DEFAULT_ACKNOWLEDGE_DAYS,
    DEFAULT_ANSWER_DAYS,
    Commitment,
    RoutingRule,
    Theme,
    Voice,
    VoiceContact,
    VoiceProfile,
    new_reference,
    tracking_digest,
)

VOICE_COUNT = 3000
# a few services promise faster or slower answers than the default 2 / 15 working days
COMMITMENTS = {
    (data.AGGLO, "eau-assainissement"): (1, 10),
    (data.AGGLO, "dechets-collecte"): (1, 10),
    (data.CAF, None): (3, 20),
}
# the demo's tracking code for every voice: printed by `cocon demo accounts`
DEMO_TRACKING_CODE = "20192019"


def organizations_and_services(territory: Territory) -> tuple[dict, dict]:
    """The demo's organizations by slug and services by (organization slug, slug)."""
    organizations = {o.slug: o for o in Organization.objects.filter(territory=territory)}
    services = {
        (s.organization.slug, s.slug): s
        for s in Service.objects.filter(organization__territory=territory).select_related(
            "organization"
        )
    }
    return organizations, services


def load_voices(
    territory: Territory,
    rng: random.Random,
    *,
    count: int = VOICE_COUNT,
    now: dt.datetime | None = None,
) -> int:
    now = now or timezone.now()
    organizations, services = organizations_and_services(territory)
    Theme.objects.bulk_create(
        Theme(territory=territory, name=t.name, slug=t.slug, keywords=", ".join(t.keywords))
        for t in vt.THEMES
    )
    themes = {t.slug: t for t in Theme.objects.filter(territory=territory)}
    RoutingRule.objects.bulk_create(
        RoutingRule(
            organization=organizations[org],
            kind=route.kind or "",
            theme=themes[route.theme] if route.theme else None,
            service=services[(org, route.service)],
        )
        for org, routes in vt.ROUTING.items()
        for route in routes
    )
    commitments: dict[int, tuple[int, int]] = {}
    for (org, service_slug), days in COMMITMENTS.items():
        for (o, s), service in services.items():
            if o == org and (service_slug is None or s == service_slug):
                commitments[service.pk] = days
    Commitment.objects.bulk_create(
        Commitment(service_id=pk, acknowledge_days=a, answer_days=b)
        for pk, (a, b) in commitments.items()
    )
    communes = {c.name: c for c in Commune.objects.filter(territory=territory)}
    relays = list(
        AgentProfile.objects.filter(organization__territory=territory, front_line=True)
        .order_by("user__email")
        .values_list("user_id", "organization_id")
    ) or list(
        AgentProfile.objects.filter(organization__territory=territory).values_list(
            "user_id", "organization_id"
        )
    )
    residents = list(
        User.objects.filter(email__iendswith=f"@{data.RESIDENT_SUBDOMAIN}.{data.EMAIL_DOMAIN}")
        .order_by("email")
        .values_list("pk", flat=True)
    )
    readers = _readers_by_service(territory)
    signers = _elus_by_service(territory)

    specs = vt.generate_voices(rng, count, start=now - dt.timedelta(days=730), end=now)
    voices: list[Voice] = []
    for spec in specs:
        service = services[(spec.organization, spec.service)]
        ack_days, answer_days = commitments.get(
            service.pk, (DEFAULT_ACKNOWLEDGE_DAYS, DEFAULT_ANSWER_DAYS)
        )
        created = spec.created_at
        local = timezone.localtime(created)

        def after(hours, created=created):
            return created + dt.timedelta(hours=hours) if hours is not None else None

        relay_id = relay_org = None
        if spec.relay_agent_index is not None and spec.capture_mode != "self":
            relay_id, relay_org = relays[spec.relay_agent_index % len(relays)]
        author_id = None
        if (
            spec.capture_mode == "self"
            and spec.channel == "web"
            and residents
            and rng.random() < 0.2
        ):
            author_id = residents[rng.randrange(len(residents))]
        reference = new_reference()
        signer = None
        if spec.answer and signers.get(service.pk) and rng.random() < 0.15:
            signer = signers[service.pk]
        voices.append(
            Voice(
                reference=reference,
                tracking_digest=tracking_digest(reference, DEMO_TRACKING_CODE),
                territory=territory,
                kind=spec.kind,
                text=spec.text,
                channel=spec.channel,
                capture_mode=spec.capture_mode,
                organization=service.organization,
                service=service,
                theme=themes.get(spec.theme),
                commune=communes.get(spec.commune) if spec.commune else None,
                event_date=spec.event_date,
                author_id=author_id,
                relay_id=relay_id,
                relay_organization_id=relay_org,
                status=spec.status,
                created_at=created,
                acknowledge_due=add_working_days(local, ack_days),
                answer_due=add_working_days(local, answer_days),
                acknowledged_at=after(spec.acknowledged_after_hours),
                answered_at=after(spec.answered_after_hours),
                closed_at=after(spec.closed_after_hours),
                answer=spec.answer,
                answer_signature=(f"{signer[1]}, {signer[2]}" if signer else service.name)
                if spec.answer
                else "",
                answer_signed_by_id=signer[0] if signer else None,
            )
        )
    Voice.objects.bulk_create(voices, batch_size=500)
    saved = {
        v.reference: v
        for v in Voice.objects.filter(territory=territory).only(
            "pk", "reference", "service_id", "created_at"
        )
    }
    ctype = ContentType.objects.get_for_model(Voice)
    events, contacts, profiles, receipts, merges = [], [], [], [], []
    last_answered: dict[int, int] = {}
    for spec, voice in zip(specs, voices, strict=True):
        pk = saved[voice.reference].pk
        voice.pk = pk

        def event(
            action,
            at,
            to="",
            frm="",
            public="",
            internal="",
            actor_label="",
            payload=None,
            pk=pk,
            voice=voice,
        ):
            events.append(
                StatusEvent(
                    content_type=ctype,
                    object_id=pk,
                    action=action,
                    from_status=frm,
                    to_status=to,
                    public_text=public,
                    internal_text=internal,
                    actor_label=actor_label,
                    data=payload or {},
                    created_at=at,
                    actor_id=voice.relay_id if action == "received" else None,
                )
            )

        event("received", voice.created_at, to="received")
        if spec.rerouted_from:
            wrong = services.get((spec.organization, spec.rerouted_from))
            event(
                "rerouted",
                voice.created_at + dt.timedelta(hours=3),
                actor_label=wrong.name if wrong else "",
                internal="Ne relève pas de notre service.",
                payload={"from": str(wrong) if wrong else "", "to": str(voice.service)},
            )
        status = "received"
        if voice.acknowledged_at and spec.status != "merged":
            nxt = "in_progress" if spec.status == "in_progress" else "acknowledged"
            if (
                spec.status in ("answered", "closed", "not_for_us")
                and voice.acknowledged_at == voice.answered_at
            ):
                nxt = None
            if nxt:
                event(
                    "status",
                    voice.acknowledged_at,
                    to=nxt,
                    frm=status,
                    actor_label=voice.service.name,
                )
                status = nxt
        if spec.status in ("answered", "closed", "not_for_us") and voice.answered_at:
            to = "not_for_us" if spec.status == "not_for_us" else "answered"
            event(
                "status",
                voice.answered_at,
                to=to,
                frm=status,
                public=voice.answer,
                actor_label=voice.answer_signature,
            )
            status = to
            last_answered[voice.service_id] = pk
        if spec.status == "closed" and voice.closed_at:
            event(
                "status",
                voice.closed_at,
                to="closed",
                frm=status,
                actor_label="Clôture automatique",
            )
        if spec.status == "merged":
            target = last_answered.get(voice.service_id)
            at = voice.closed_at or voice.created_at
            if target:
                merges.append((pk, target))
            event(
                "merged",
                at,
                to="merged",
                frm=status,
                public="Votre message est traité avec des messages semblables.",
            )
        if spec.contact_email:
            closed = voice.closed_at if spec.status in ("closed", "not_for_us", "merged") else None
            contacts.append(
                VoiceContact(
                    voice_id=pk,
                    email=f"usager.{pk}@{data.RESIDENT_SUBDOMAIN}.{data.EMAIL_DOMAIN}",
                    consent_at=voice.created_at,
                    erase_after=closed + dt.timedelta(days=365) if closed else None,
                )
            )
        if spec.profile:
            profiles.append(
                VoiceProfile(
                    voice_id=pk,
                    age_band=spec.profile.get("age_band", ""),
                    sex=spec.profile.get("sex", ""),
                    occupation=spec.profile.get("occupation", ""),
                    commune=communes.get(spec.commune) if spec.commune else None,
                )
            )
        if voice.acknowledged_at:
            for user_id in readers.get(voice.service_id, ())[:2]:
                receipts.append(
                    ReadReceipt(
                        content_type=ctype,
                        object_id=pk,
                        user_id=user_id,
                        seen_at=voice.acknowledged_at,
                    )
                )
    StatusEvent.objects.bulk_create(events, batch_size=1000)
    VoiceContact.objects.bulk_create(contacts, batch_size=1000)
    VoiceProfile.objects.bulk_create(profiles, batch_size=1000)
    ReadReceipt.objects.bulk_create(receipts, batch_size=1000, ignore_conflicts=True)
    for pk, target in merges:
        Voice.objects.filter(pk=pk).update(merged_into_id=target)
    return len(voices)


def _readers_by_service(territory) -> dict[int, list[int]]:
    """Managers then agents of each service: who opened its voices."""
    readers: dict[int, list[int]] = {}
    for role in Role.objects.filter(
        organization__territory=territory, kind="manager"
    ).prefetch_related("services"):
        for service in role.services.all():
            readers.setdefault(service.pk, []).append(role.user_id)
    for user_id, service_id in (
        AgentProfile.objects.filter(organization__territory=territory, service__isnull=False)
        .order_by("user__email")
        .values_list("user_id", "service_id")
    ):
        if user_id not in readers.setdefault(service_id, []):
            readers[service_id].append(user_id)
    return readers


def _elus_by_service(territory) -> dict[int, tuple[int, str, str]]:
    signers: dict[int, tuple[int, str, str]] = {}
    for role in (
        Role.objects.filter(Q(organization__territory=territory), kind="elu")
        .select_related("user")
        .prefetch_related("services")
    ):
        for service in role.services.all():
            signers.setdefault(service.pk, (role.user_id, role.user.full_name, role.title))
    return signers
