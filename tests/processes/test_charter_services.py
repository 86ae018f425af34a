"""Charter of commitments: versions, signatures, withdrawal, revision and re-signature."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone, translation

from cocon.core.gdpr import export_person
from cocon.core.models import Notification, NotificationPreference, OutboxEmail
from cocon.processes import services_charter as services
from cocon.processes.gdpr_charter import erase_charter
from cocon.processes.models.charter import Charter, CharterVersion, Signature

TEXT = (
    "Les habitants s'engagent à respecter le parc.\n\n"
    "Les services s'engagent à informer les habitants chaque année.\n\n"
    "Les associations animent une balade par saison."
)


def _fr_error(exc: ValidationError, field: str) -> str:
    return " ".join(exc.message_dict[field])


@pytest.fixture
def charter(pworld) -> Charter:
    charter = services.charter_create(
        pworld.process,
        actor=pworld["animateur"],
        title="Charte du Parc des Berges",
        text=TEXT,
        revision_every_months=24,
    )
    services.charter_publish_version(charter.versions.get(), actor=pworld["animateur"])
    return charter


def _v(charter, number) -> CharterVersion:
    return charter.versions.get(number=number)


def _sign(version, user, kind="inhabitant", name=None, organization=None):
    with translation.override("fr"):  # messages are written in the person's language
        return services.charter_sign(
            version,
            user=user,
            signer_kind=kind,
            name=user.full_name if name is None and kind == "inhabitant" else (name or ""),
            organization=organization,
        )


# --- versions ----------------------------------------------------------------------------
def test_create_makes_a_draft_version_1(pworld):
    charter = services.charter_create(
        pworld.process, actor=pworld["animateur"], title="Charte", text=TEXT
    )
    version = charter.versions.get()
    assert version.number == 1 and version.is_draft
    assert charter.revision_every_months == 24 and charter.next_revision_on is None


def test_create_bad_input_writes_nothing(pworld):
    with pytest.raises(ValidationError) as info, translation.override("fr"):
        services.charter_create(
            pworld.process,
            actor=pworld["animateur"],
            title=" ",
            text="  ",
            revision_every_months=0,
        )
    assert set(info.value.error_dict) == {"title", "text", "revision_every_months"}
    assert "vide" in _fr_error(info.value, "text")
    assert not Charter.objects.exists() and not CharterVersion.objects.exists()


def test_publish_moves_the_revision_date(charter):
    version = _v(charter, 1)
    assert version.published_at is not None
    charter.refresh_from_db()
    today = timezone.localdate()
    assert charter.next_revision_on == today.replace(year=today.year + 2) or (
        today.month == 2 and today.day == 29
    )


def test_publishing_twice_refused(charter, pworld):
    with pytest.raises(ValidationError):
        services.charter_publish_version(_v(charter, 1), actor=pworld["animateur"])


def test_revise_creates_then_updates_the_draft(charter, pworld):
    draft = services.charter_revise(
        charter, actor=pworld["animateur"], text=TEXT + "\n\nNouveau.", note="Ajout"
    )
    assert draft.number == 2 and draft.is_draft
    again = services.charter_revise(
        charter, actor=pworld["animateur"], text=TEXT + "\n\nNouveau !", note="Ajout 2"
    )
    assert again.pk == draft.pk and again.text.endswith("Nouveau !")
    assert charter.versions.count() == 2


def test_revise_with_the_same_text_refused(charter, pworld):
    with pytest.raises(ValidationError) as info:
        services.charter_revise(charter, actor=pworld["animateur"], text=TEXT + "\n", note="")
    assert "text" in info.value.error_dict
    assert charter.versions.count() == 1


# --- signatures --------------------------------------------------------------------------
def test_a_draft_cannot_be_signed(pworld):
    charter = services.charter_create(
        pworld.process, actor=pworld["animateur"], title="Charte", text=TEXT
    )
    with pytest.raises(ValidationError) as info:
        _sign(charter.versions.get(), pworld["usager"])
    assert "version" in info.value.error_dict
    assert not Signature.objects.exists()


def test_signing_twice_is_refused_in_french_and_writes_nothing(charter, pworld):
    version = _v(charter, 1)
    first = _sign(version, pworld["usager"])
    with pytest.raises(ValidationError) as info:
        _sign(version, pworld["usager"], name="Autre nom")
    message = _fr_error(info.value, "signer_kind")
    assert message.startswith("Vous avez déjà signé cette version de la charte le")
    assert str(timezone.localtime(first.signed_at).year) in message
    assert Signature.objects.count() == 1


def test_same_person_may_also_sign_for_an_association_without_account(charter, pworld):
    version = _v(charter, 1)
    _sign(version, pworld["usager"])
    _sign(version, pworld["usager"], kind="association", name="Les Amis des Berges")
    assert version.signatures.count() == 2


def test_constraint_is_a_safety_net_turned_into_the_french_message(charter, pworld):
    version = _v(charter, 1)
    _sign(version, pworld["usager"])
    real = services._existing
    calls = []

    def racing(*args, **kwargs):  # the check misses the concurrent signature once
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    with (
        mock.patch.object(services, "_existing", side_effect=racing),
        pytest.raises(ValidationError) as info,
    ):
        _sign(version, pworld["usager"])
    assert _fr_error(info.value, "signer_kind").startswith("Vous avez déjà signé")
    assert Signature.objects.count() == 1


def test_organization_signature_needs_its_administrator(charter, pworld):
    version = _v(charter, 1)
    org_a = pworld.world.org_a
    with pytest.raises(ValidationError) as info:
        _sign(version, pworld["agent"], kind="organization", organization=org_a)
    assert "organization" in info.value.error_dict
    with pytest.raises(ValidationError):  # an admin of another organization
        _sign(version, pworld["admin_b"], kind="organization", organization=org_a)
    signature = _sign(version, pworld["admin"], kind="organization", name="", organization=org_a)
    assert signature.name == org_a.name and signature.user == pworld["admin"]
    assert Signature.objects.count() == 1


def test_organization_signs_once_whoever_signs(charter, pworld):
    version = _v(charter, 1)
    org_a = pworld.world.org_a
    _sign(version, pworld["admin"], kind="organization", organization=org_a)
    with pytest.raises(ValidationError) as info:
        _sign(version, pworld["platform"], kind="organization", organization=org_a)
    message = _fr_error(info.value, "signer_kind")
    assert message.startswith(f"{org_a.name} a déjà signé cette version de la charte le")
    assert Signature.objects.count() == 1


def test_process_manager_may_sign_for_an_involved_organization_not_as_association(charter, pworld):
    version = _v(charter, 1)
    org_b = pworld.world.org_b
    with pytest.raises(ValidationError):
        _sign(version, pworld["animateur"], kind="association", organization=org_b)
    signature = _sign(version, pworld["animateur"], kind="organization", organization=org_b)
    assert signature.organization == org_b


def test_organization_kind_requires_an_organization(charter, pworld):
    with pytest.raises(ValidationError) as info:
        _sign(_v(charter, 1), pworld["admin"], kind="organization")
    assert "organization" in info.value.error_dict


# --- withdrawal --------------------------------------------------------------------------
def test_withdraw_by_someone_else_refused(charter, pworld):
    signature = _sign(_v(charter, 1), pworld["usager"])
    for role in ("agent", "animateur", "admin_b"):
        with pytest.raises(ValidationError):
            services.charter_withdraw(signature, user=pworld[role], reason="x")
    signature.refresh_from_db()
    assert signature.withdrawn_at is None


def test_withdraw_keeps_the_signature_listed_and_allows_signing_again(charter, pworld):
    version = _v(charter, 1)
    signature = _sign(version, pworld["usager"])
    services.charter_withdraw(signature, user=pworld["usager"], reason="Je déménage")
    signature.refresh_from_db()
    assert signature.withdrawn_at and signature.withdrawal_reason == "Je déménage"
    with pytest.raises(ValidationError):
        services.charter_withdraw(signature, user=pworld["usager"], reason="")
    _sign(version, pworld["usager"])
    assert version.signatures.count() == 2


def test_organization_admin_withdraws_the_organization_signature(charter, pworld):
    org_a = pworld.world.org_a
    signature = _sign(_v(charter, 1), pworld["platform"], kind="organization", organization=org_a)
    services.charter_withdraw(signature, user=pworld["admin"], reason="")
    assert Signature.objects.get().withdrawn_at is not None


# --- revision ----------------------------------------------------------------------------
def test_revision_asks_active_signatories_once_and_old_version_is_closed(charter, pworld):
    v1 = _v(charter, 1)
    _sign(v1, pworld["usager"])
    _sign(v1, pworld["usager"], kind="association", name="Les Amis des Berges")
    _sign(v1, pworld["admin"], kind="organization", organization=pworld.world.org_a)
    gone = _sign(v1, pworld["expert"])
    services.charter_withdraw(gone, user=pworld["expert"], reason="")
    NotificationPreference.objects.create(
        user=pworld["admin"], email=NotificationPreference.Email.NEVER
    )
    charter.next_revision_on = timezone.localdate() - dt.timedelta(days=1)
    charter.save()
    before = OutboxEmail.objects.count()
    v2 = services.charter_revise(
        charter,
        actor=pworld["animateur"],
        text=TEXT.replace("chaque année", "chaque trimestre"),
        note="Information trimestrielle",
    )
    services.charter_publish_version(v2, actor=pworld["animateur"])
    asked = Notification.objects.filter(kind="processes.charter_resign")
    assert sorted(asked.values_list("recipient_id", flat=True)) == sorted(
        [pworld["usager"].pk, pworld["admin"].pk]
    )
    # email only for the one whose preference allows it
    assert OutboxEmail.objects.count() - before == 1
    assert OutboxEmail.objects.latest("pk").to == [pworld["usager"].email]
    charter.refresh_from_db()
    assert charter.next_revision_on > timezone.localdate()
    # the old version cannot be signed any more
    with pytest.raises(ValidationError) as info:
        _sign(v1, pworld["agent"])
    assert "version" in info.value.error_dict


def test_re_signing_links_the_previous_signature_and_clears_to_renew(charter, pworld):
    from cocon.processes.selectors_charter import to_renew

    v1 = _v(charter, 1)
    old = _sign(v1, pworld["usager"])
    other = _sign(v1, pworld["agent"])
    v2 = services.charter_revise(charter, actor=pworld["animateur"], text=TEXT + "\n\nFin.")
    services.charter_publish_version(v2, actor=pworld["animateur"])
    assert {s.pk for s in to_renew(v1, v2)} == {old.pk, other.pk}
    new = _sign(v2, pworld["usager"])
    assert new.renews_id == old.pk
    assert [s.pk for s in to_renew(v1, v2)] == [other.pk]
    old.refresh_from_db()
    assert old.withdrawn_at is None  # still valid for version 1
    fresh = _sign(v2, pworld["elu"])
    assert fresh.renews_id is None


def test_revision_reminder_is_sent_once_to_the_managers(charter, pworld):
    charter.next_revision_on = timezone.localdate()
    charter.save()
    assert services.remind_revisions() == 1
    reminded = set(
        Notification.objects.filter(kind="processes.charter_revision").values_list(
            "recipient_id", flat=True
        )
    )
    assert reminded == {pworld["animateur"].pk, pworld["admin"].pk}
    assert services.remind_revisions() == 0
    charter.next_revision_on = timezone.localdate() + dt.timedelta(days=5)
    charter.save()
    assert services.remind_revisions() == 0


def test_reminder_job_is_registered_daily():
    from cocon.core import schedule

    assert schedule._DAILY["processes.charter_revision"][1] is services.remind_revisions


# --- GDPR --------------------------------------------------------------------------------
def test_gdpr_export_and_erasure(charter, pworld):
    v1 = _v(charter, 1)
    _sign(v1, pworld["admin"])
    _sign(v1, pworld["admin"], kind="organization", organization=pworld.world.org_a)
    data = export_person(pworld["admin"])["processes_charter"]
    assert {row["signing_as"] for row in data} == {"inhabitant", "organization"}
    assert data[0]["charter"] == "Charte du Parc des Berges"
    erase_charter(pworld["admin"])
    mine = Signature.objects.get(signer_kind="inhabitant")
    assert mine.name == "Signataire anonyme" and mine.user_id is None
    official = Signature.objects.get(signer_kind="organization")
    assert official.name == pworld.world.org_a.name and official.user_id == pworld["admin"].pk
    assert v1.signatures.filter(withdrawn_at__isnull=True).count() == 2
