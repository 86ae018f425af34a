"""Call for ambassadors: pages, permissions for every role, bad input (400), the
published draw and its data, mission letters (PDF), time pages, public section."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from cocon.lib import draw as draw_lib
from cocon.processes import services_ambassadors as services
from cocon.processes.models.ambassadors import AmbassadorCall, Application, TimeEntry
from tests.conftest import fr
from tests.processes.test_ambassadors_services import add_pool, apply, close, drawn, make_call

ALL = ["usager", "agent", "manager", "direction", "elu", "expert", "animateur", "admin"]
MANAGERS = {"animateur", "admin", "platform"}


@pytest.fixture
def call(pworld):
    return make_call(pworld)


def url(name, *args):
    return reverse(f"processes:{name}", args=args)


def form_data(**overrides):
    data = {
        "title": "Ambassadeurs",
        "description": "",
        "commitment": "3 jours par mois pendant 16 mois",
        "days_per_month": "3",
        "months": "16",
        "opens_on": timezone.localdate().isoformat(),
        "closes_on": (timezone.localdate() + timezone.timedelta(days=20)).isoformat(),
        "seats": "5",
        "targets_category": "A: 30\nB: 30\nC: 40",
        "targets_service": "",
        "targets_gender": "F: 50\nM: 50",
    }
    data.update(overrides)
    return data


# --- management pages ---------------------------------------------------------------------
@pytest.mark.parametrize("role", [*ALL, "platform", "agent_b", "admin_b"])
def test_call_management_permissions(client, pworld, call, role):
    client.force_login(pworld[role])
    expected = 200 if role in MANAGERS else 403
    slug = pworld.process.slug
    assert client.get(url("call_list", slug)).status_code == expected
    assert client.get(url("call_create", slug)).status_code == expected
    assert client.get(url("call_edit", call.pk)).status_code == expected
    assert client.get(url("call_draw", call.pk)).status_code == expected
    assert client.post(url("call_finalize", call.pk)).status_code in (
        {302} if role in MANAGERS else {403}
    )


def test_anonymous_is_sent_to_login_and_sees_public_call(client, pworld, call):
    response = client.get(url("call_list", pworld.process.slug))
    assert response.status_code == 302
    response = client.get(url("call_detail", call.pk))
    assert response.status_code == 200
    assert call.seed in response.content.decode()
    assert "data-applications" not in response.content.decode()


def test_private_process_call_hidden_from_outsiders(client, pworld, call):
    pworld.process.is_public = False
    pworld.process.save()
    assert client.get(url("call_detail", call.pk)).status_code == 404
    client.force_login(pworld["usager"])
    assert client.get(url("call_detail", call.pk)).status_code == 404
    client.force_login(pworld["agent_b"])  # Département B is involved
    assert client.get(url("call_detail", call.pk)).status_code == 200


def test_create_call_and_bad_targets(client, pworld):
    client.force_login(pworld["animateur"])
    response = client.post(
        url("call_create", pworld.process.slug), form_data(targets_category="A: -30\nB: 70")
    )
    assert response.status_code == 400
    assert fr("The share of « %(value)s » must be a positive number.")[:12] in (
        response.content.decode()
    )
    response = client.post(url("call_create", pworld.process.slug), form_data(seats="0"))
    assert response.status_code == 400
    assert fr("There must be at least one seat.") in response.content.decode()
    assert not AmbassadorCall.objects.exists()
    response = client.post(url("call_create", pworld.process.slug), form_data())
    call = AmbassadorCall.objects.get()
    assert response.status_code == 302
    assert call.targets == {"category": {"A": 30, "B": 30, "C": 40}, "gender": {"F": 50, "M": 50}}
    # the seed is on the public process page before the draw
    page = client.get(pworld.process.get_absolute_url()).content.decode()
    assert call.seed in page


def test_edit_seed(client, pworld, call):
    client.force_login(pworld["admin"])
    data = form_data(seed="nouvelle-graine", targets_gender="")
    assert client.post(url("call_edit", call.pk), data).status_code == 302
    call.refresh_from_db()
    assert call.seed == "nouvelle-graine"
    assert client.post(url("call_edit", call.pk), form_data(seed="")).status_code == 400


# --- applying and approval ----------------------------------------------------------------
@pytest.mark.parametrize("role", [*ALL, "agent_b", "admin_b"])
def test_apply_permissions(client, pworld, call, role):
    client.force_login(pworld[role])
    status = client.get(url("call_apply", call.pk)).status_code
    # agents of the leading and of the involved organization; not usager nor élu
    assert status == (403 if role in {"usager", "elu"} else 200)


def test_apply_page_prefilled_then_twice_is_an_error(client, pworld, call):
    client = client
    client.force_login(pworld["agent"])
    page = client.get(url("call_apply", call.pk))
    form = page.context["form"]
    assert form.initial["service"] == pworld.world.water.pk
    assert form.initial["category"] == "C"
    assert form.initial["manager"] == pworld["manager"].pk
    response = client.post(url("call_apply", call.pk), {"motivation": "", "category": "C"})
    assert response.status_code == 400
    assert fr("Tell us why you want to be an ambassador.") in response.content.decode()
    data = {
        "motivation": "J'aime mon service.",
        "service": pworld.world.water.pk,
        "category": "C",
        "gender": "",
        "manager": pworld["manager"].pk,
    }
    assert client.post(url("call_apply", call.pk), data).status_code == 302
    response = client.post(url("call_apply", call.pk), data)
    assert response.status_code == 400
    assert fr("You have already applied to this call.") in response.content.decode()
    assert Application.objects.count() == 1


def test_apply_closed_call_forbidden(client, pworld, call):
    close(call)
    client.force_login(pworld["agent"])
    assert client.get(url("call_apply", call.pk)).status_code == 403


@pytest.mark.parametrize("role", [*ALL, "platform", "agent_b", "admin_b"])
def test_review_permissions(client, pworld, call, role):
    application = apply(pworld, call, role="expert", category="A")
    client.force_login(pworld[role])
    expected = 200 if role in MANAGERS | {"manager"} else 403
    assert client.get(url("application_review", application.pk)).status_code == expected


def test_review_refusal_needs_reason(client, pworld, call):
    application = apply(pworld, call)
    client.force_login(pworld["manager"])
    response = client.post(url("application_review", application.pk), {"decision": "refuse"})
    assert response.status_code == 400
    assert fr("Give the reason for refusing.") in response.content.decode()
    application.refresh_from_db()
    assert application.manager_decision == "pending"
    response = client.post(url("application_review", application.pk), {"decision": "approve"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.manager_decision == "approved"


def test_withdraw_only_own(client, pworld, call):
    application = apply(pworld, call)
    client.force_login(pworld["expert"])
    assert client.post(url("application_withdraw", application.pk)).status_code == 404
    client.force_login(pworld["agent"])
    assert client.post(url("application_withdraw", application.pk)).status_code == 302
    application.refresh_from_db()
    assert application.withdrawn_at


# --- draw ---------------------------------------------------------------------------------
def test_draw_preview_explains_unmet_targets_then_confirm(client, pworld):
    call = make_call(pworld, seats=4, targets={"category": {"A": 50, "C": 50}})
    add_pool(call, [("A", "Eau", "F")] + [("C", "Eau", "M")] * 5)
    client.force_login(pworld["animateur"])
    page = client.get(url("call_draw", call.pk)).content.decode()
    assert "data-gaps" not in page  # still open: close first
    close(call)
    page = client.get(url("call_draw", call.pk)).content.decode()
    assert "data-gaps" in page
    assert "2 places visées" in page and "1 candidature approuvée" in page
    assert not Application.objects.filter(draw_rank__isnull=False).exists()
    response = client.post(url("call_draw", call.pk), {})
    assert response.status_code == 400
    assert not AmbassadorCall.objects.get(pk=call.pk).drawn_at
    response = client.post(url("call_draw", call.pk), {"confirm": "1"})
    assert response.status_code == 302
    assert Application.objects.filter(selected=True).count() == 4


def test_result_page_public_without_names_and_data_reruns(client, pworld, call):
    drawn(pworld, call)
    response = client.get(url("call_result", call.pk))
    page = response.content.decode()
    assert response.status_code == 200
    assert call.seed in page
    assert pworld["agent"].full_name not in page
    assert "SHA-256" in page
    client.force_login(pworld["animateur"])
    assert pworld["agent"].full_name in client.get(url("call_result", call.pk)).content.decode()
    client.logout()
    data = json.loads(client.get(url("call_draw_data", call.pk)).content)
    rerun = draw_lib.draw(
        [draw_lib.Candidate(c["key"], c["values"]) for c in data["candidates"]],
        seats=data["seats"],
        targets=data["targets"],
        seed=data["seed"],
    )
    assert rerun.selected == data["selected"]
    assert rerun.waiting_list == data["waiting_list"]
    csv_text = client.get(url("call_draw_data", call.pk) + "?format=csv").content.decode()
    assert data["seed"] in csv_text and data["selected"][0] in csv_text


def test_result_hidden_for_private_process_and_before_draw(client, pworld, call):
    assert client.get(url("call_result", call.pk)).status_code == 404
    drawn(pworld, call)
    pworld.process.is_public = False
    pworld.process.save()
    assert client.get(url("call_result", call.pk)).status_code == 404
    assert client.get(url("call_draw_data", call.pk)).status_code == 404


def test_result_query_count(client, pworld, call, django_assert_max_num_queries):
    add_pool(call, [("A", "Eau", "F"), ("B", "Eau", "M"), ("C", "Déchets", "")] * 20)
    close(call)
    services.draw_run(call=call, by=pworld["animateur"])
    client.force_login(pworld["animateur"])
    with django_assert_max_num_queries(14):
        assert client.get(url("call_result", call.pk)).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(url("call_detail", call.pk)).status_code == 200


def test_swap_and_finalize_pages(client, pworld, call):
    people = drawn(pworld, call)
    client.force_login(pworld["animateur"])
    assert client.post(url("call_finalize", call.pk)).status_code == 302
    leaving = Application.objects.filter(selected=True).first()
    services.application_withdraw(application=leaving, by=leaving.applicant)
    response = client.post(url("call_swap", call.pk, leaving.pk))
    assert response.status_code == 302
    assert Application.objects.filter(selected=True).count() == 2
    assert not Application.objects.get(pk=leaving.pk).selected
    client.force_login(pworld["agent_b"])
    assert client.post(url("call_swap", call.pk, people[0].pk)).status_code == 403


# --- mission letters and time -------------------------------------------------------------
def finalized(pworld, call):
    drawn(pworld, call)
    services.call_finalize(call=call, by=pworld["animateur"])
    return Application.objects.filter(selected=True).select_related("applicant").order_by("key")


def test_mission_letter_pdf_and_access(client, pworld, call):
    ambassador = finalized(pworld, call).first()
    client.force_login(ambassador.applicant)
    response = client.get(url("mission_letter", ambassador.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert len(response.content) > 2000
    for role, expected in (("manager", 200), ("animateur", 200), ("agent_b", 404)):
        client.force_login(pworld[role])
        assert client.get(url("mission_letter", ambassador.pk)).status_code == expected
    client.logout()
    assert client.get(url("mission_letter", ambassador.pk)).status_code == 302
    client.force_login(pworld["animateur"])
    all_letters = client.get(url("mission_letters", call.pk))
    assert all_letters.status_code == 200 and all_letters.content.startswith(b"%PDF")
    assert len(all_letters.content) > len(response.content)
    client.force_login(pworld["manager"])
    assert client.get(url("mission_letters", call.pk)).status_code == 403


def test_mission_letter_contains_the_name(client, pworld, call, monkeypatch):
    """The PDF text is compressed: check the document WeasyPrint lays out (pypdf, when
    installed, reads the name back from the PDF itself)."""
    import io

    import weasyprint

    ambassador = finalized(pworld, call).first()
    seen = []
    real = weasyprint.HTML

    def spy(*args, **kwargs):
        seen.append(kwargs["string"])
        return real(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    client.force_login(pworld["animateur"])
    pdf = client.get(url("mission_letter", ambassador.pk)).content
    assert pdf.startswith(b"%PDF")
    html = seen[0]
    assert ambassador.applicant.full_name in html
    assert call.commitment in html and pworld.process.title in html
    assert pworld["manager"].full_name in html
    assert ambassador.decided_at.strftime("%Y") in html
    try:
        import pypdf
    except ImportError:
        return
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert ambassador.applicant.full_name in text


def test_time_entries_page_and_summary(client, pworld, call):
    ambassador = finalized(pworld, call).first()
    client.force_login(ambassador.applicant)
    response = client.post(
        url("time_entries", ambassador.pk),
        {"date": timezone.localdate().isoformat(), "amount": "0", "unit": "days", "activity": ""},
    )
    assert response.status_code == 400
    assert fr("The duration must be a positive number.") in response.content.decode()
    assert not TimeEntry.objects.exists()
    response = client.post(
        url("time_entries", ambassador.pk),
        {
            "date": timezone.localdate().isoformat(),
            "amount": "3,5",
            "unit": "hours",
            "activity": "Entretiens usagers",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TimeEntry.objects.get().days == Decimal("0.5")
    client.force_login(pworld["agent_b"])
    assert client.get(url("time_entries", ambassador.pk)).status_code == 404
    client.force_login(pworld["manager"])
    assert client.get(url("call_time", call.pk)).status_code == 403
    client.force_login(pworld["animateur"])
    page = client.get(url("call_time", call.pk)).content.decode()
    assert "data-recorded>0.5<" in page or "data-recorded>0,5<" in page


def test_public_section(client, pworld, call):
    from cocon.processes.selectors_ambassadors import public_section

    section = public_section(pworld.process, pworld["usager"])
    assert section["ambassadors_call"] == call
    drawn(pworld, call)
    section = public_section(pworld.process, pworld["usager"])
    assert section["ambassadors_selected"] == 2
    assert section["ambassadors_candidates"] == 4
    call.delete()
    assert public_section(pworld.process, None) == {}
