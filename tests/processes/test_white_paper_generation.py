"""White paper: document content (objectives, phases, participation figures with small
cells hidden, proposals with supports and published expert opinions, workshop outputs,
personas), version numbering, hand-over (no future date, frozen, public), PDF, and a
query count independent of the number of proposals."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cocon.ideas.models import Idea, Review, Visibility
from cocon.processes import selectors_white_paper, services_white_paper
from cocon.processes.models import Event, EventOutput, Registration
from cocon.processes.models.events import EventKind
from cocon.processes.models.personas import Persona, PersonaQuote
from cocon.processes.models.white_paper import WhitePaperVersion
from tests.conftest import fr


def make_idea(pworld, title, supports=0, theme=None, **fields):
    defaults = {
        "campaign": pworld.process.campaign,
        "organization": pworld.world.org_a,
        "author_category": "usager",
        "title": title,
        "problem": "Un problème.",
        "proposal": f"Proposition : {title}.",
        "benefit": "Un bénéfice.",
        "visibility": Visibility.PUBLIC,
        "support_count": supports,
        "theme": theme,
    }
    defaults.update(fields)
    return Idea.objects.create(**defaults)


@pytest.fixture
def content(pworld):
    """A past meeting with 6 usagers, 2 agents and 3 élus present (small cells), ideas with
    supports, a published and an unpublished opinion, an output and a persona."""
    from cocon.voices.models import Theme

    w = pworld.world
    theme = Theme.objects.create(territory=w.territory, name="Nature en ville", slug="nature")
    start = timezone.now() - dt.timedelta(days=20)
    meeting = Event.objects.create(
        process=pworld.process,
        phase=pworld.phases[0],
        kind=EventKind.MEETING,
        title="Réunion publique de lancement",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    for n in range(6):
        Registration.objects.create(
            event=meeting,
            name=f"Habitant {n}",
            role="usager",
            attended=True,
            age_band="30-44",
            commune=w.communes[0],
        )
    for n in range(2):
        Registration.objects.create(event=meeting, name=f"Agent {n}", role="agent", attended=True)
    for n in range(3):  # two small cells: no complementary suppression needed
        Registration.objects.create(event=meeting, name=f"Élu {n}", role="elu", attended=True)
    benches = make_idea(pworld, "Des bancs à l'ombre", supports=42, theme=theme)
    toilets = make_idea(pworld, "Des toilettes publiques", supports=7)
    make_idea(pworld, "Idée interne", visibility=Visibility.ORGANIZATION)
    make_idea(pworld, "Idée masquée", hidden_at=timezone.now())
    Review.objects.create(
        idea=benches,
        expert=w["expert"],
        expert_label="Service des espaces verts",
        due_on=timezone.localdate(),
        recommendation="go",
        text="Faisable au printemps.",
        submitted_at=timezone.now(),
        published_at=timezone.now(),
    )
    Review.objects.create(
        idea=toilets,
        expert=w["manager"],
        due_on=timezone.localdate(),
        text="Avis non publié, secret.",
        submitted_at=timezone.now(),
    )
    sticky = make_idea(pworld, "Post-it : un ponton")
    EventOutput.objects.create(event=meeting, idea=sticky, kind="sticky_note")
    persona = Persona.objects.create(
        process=pworld.process, name="Claire", situation="Mère de deux enfants", published=True
    )
    PersonaQuote.objects.create(
        persona=persona, text="Il faut de l'ombre", source_label="entretien"
    )
    Persona.objects.create(process=pworld.process, name="Persona brouillon", situation="x")
    return {"meeting": meeting, "benches": benches}


def test_document_content(pworld, content):
    paper = services_white_paper.white_paper_update(
        pworld.process,
        actor=pworld["animateur"],
        introduction="Notre introduction.",
        conclusion="Notre conclusion.",
    )
    version = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    html = version.html
    assert version.number == 1 and version.white_paper == paper
    assert "Notre introduction." in html and "Notre conclusion." in html
    assert pworld.process.question in html
    # phases held: the past and the current one, not the future one
    assert "Réunions publiques" in html and "Atelier projet" in html
    assert "Livre blanc et décisions" not in html
    # proposals: supports, published opinion only, grouped by theme, public ones only
    assert "Des bancs à l&#x27;ombre" in html and "Nature en ville" in html
    assert "42 soutiens" in html and "7 soutiens" in html
    assert "Faisable au printemps." in html and "Service des espaces verts" in html
    assert "secret" not in html
    assert "Idée interne" not in html and "Idée masquée" not in html
    # workshop outputs and published personas
    assert "Réunion publique de lancement" in html and "Post-it : un ponton" in html
    assert "Claire" in html and "Il faut de l&#x27;ombre" in html
    assert "Persona brouillon" not in html
    # table of contents
    assert 'href="#wp-proposals"' in html


def test_participation_figures_hide_small_cells(pworld, content):
    tables = selectors_white_paper.participation_tables(pworld.process)
    roles = {r["label"]: r for r in tables["roles"]}
    usager = next(r for r in tables["roles"] if r["present"] == 6)
    assert usager["present_shown"] == 6
    agent = next(r for r in tables["roles"] if r["present"] == 2)
    assert agent["present_shown"] is None  # 2 < 5: hidden
    assert len(roles) == 6
    assert tables["total_present"] == 11
    age = {r["label"]: r for r in tables["age_rows"]}
    assert age["30-44"]["shown"] == 6 and age["30-44"]["share"] == 100
    assert age["30-44"]["population_share"] == 17  # one of six equal bands
    communes = {r["label"]: r for r in tables["commune_rows"]}
    assert communes["Villebourg"]["shown"] == 6
    assert communes["Villebourg"]["population_share"] == 67  # 1000 / 1500
    version = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    assert "&lt; 5" in version.html


def test_a_lone_small_cell_takes_the_next_one_with_it(pworld, content):
    Registration.objects.filter(role="elu").delete()
    roles = selectors_white_paper.participation_tables(pworld.process)["roles"]
    # agents (2) hidden: the usagers (6) are hidden too, or the total would give them away
    assert [r["present_shown"] for r in roles if r["present"]] == [None, None]


def test_versions_are_numbered_and_kept(pworld, content, client_for):
    v1 = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    make_idea(pworld, "Une nouvelle idée")
    v2 = services_white_paper.white_paper_generate(
        pworld.process, actor=pworld["animateur"], note="relue"
    )
    assert (v1.number, v2.number) == (1, 2)
    assert "Une nouvelle idée" not in WhitePaperVersion.objects.get(pk=v1.pk).html
    assert "Une nouvelle idée" in v2.html
    client = client_for("animateur")
    for number in (1, 2):
        r = client.get(reverse("processes:white_paper_version", args=[pworld.process.slug, number]))
        assert r.status_code == 200
    page = client.get(reverse("processes:white_paper", args=[pworld.process.slug])).content.decode()
    assert "relue" in page


def test_generate_note_too_long(pworld, client_for):
    r = client_for("animateur").post(
        reverse("processes:white_paper_generate", args=[pworld.process.slug]), {"note": "x" * 301}
    )
    assert r.status_code == 400
    assert not WhitePaperVersion.objects.exists()


def test_generate_through_the_page(pworld, content, client_for):
    client = client_for("animateur")
    r = client.post(
        reverse("processes:white_paper", args=[pworld.process.slug]),
        {"introduction": "Intro", "conclusion": ""},
    )
    assert r.status_code == 302
    r = client.post(
        reverse("processes:white_paper_generate", args=[pworld.process.slug]), {"note": "première"}
    )
    assert r.status_code == 302
    version = WhitePaperVersion.objects.get()
    assert r["Location"] == reverse("processes:white_paper_version", args=[pworld.process.slug, 1])
    assert "Intro" in version.html and version.note == "première" and not version.published


# --- hand-over ------------------------------------------------------------------------------
def hand_over_url(pworld, number):
    return reverse("processes:white_paper_hand_over", args=[pworld.process.slug, number])


def test_hand_over_refuses_a_future_date(pworld, client_for):
    version = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    r = client_for("animateur").post(
        hand_over_url(pworld, 1),
        {f"v{version.pk}-on": tomorrow.isoformat(), f"v{version.pk}-by_label": "les habitants"},
    )
    assert r.status_code == 400
    assert fr("The hand-over date cannot be in the future.") in r.content.decode()
    version.refresh_from_db()
    assert version.handed_to_elus_on is None and not version.published


def test_hand_over_needs_who(pworld):
    version = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    with pytest.raises(ValidationError) as exc:
        services_white_paper.white_paper_hand_over(
            version, actor=pworld["animateur"], on=None, by_label=" "
        )
    assert set(exc.value.message_dict) == {"on", "by_label"}


def test_hand_over_freezes_and_publishes(client, pworld, client_for):
    version = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    version_url = reverse("processes:white_paper_version", args=[pworld.process.slug, 1])
    assert client.get(version_url).status_code == 404  # not public yet
    today = timezone.localdate()
    r = client_for("animateur").post(
        hand_over_url(pworld, 1),
        {
            f"v{version.pk}-on": today.isoformat(),
            f"v{version.pk}-by_label": "les habitants du comité de quartier",
        },
    )
    assert r.status_code == 302
    version.refresh_from_db()
    assert version.published and version.handed_to_elus_on == today and version.is_frozen
    assert client.get(version_url).status_code == 200
    section = selectors_white_paper.public_section(pworld.process, None)
    assert section["white_paper_version"] == version
    # frozen: no second hand-over, no unpublishing
    with pytest.raises(ValidationError):
        services_white_paper.white_paper_hand_over(
            version, actor=pworld["animateur"], on=today, by_label="x"
        )
    r = client_for("animateur").post(
        reverse("processes:white_paper_publish", args=[pworld.process.slug, 1]), {"published": "0"}
    )
    version.refresh_from_db()
    assert version.published and version.handed_by_label == "les habitants du comité de quartier"


def test_publish_and_unpublish_a_draft(client, pworld, client_for):
    services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    publish = reverse("processes:white_paper_publish", args=[pworld.process.slug, 1])
    assert client_for("agent_b").post(publish, {"published": "1"}).status_code == 403
    assert client_for("animateur").post(publish, {"published": "1"}).status_code == 302
    assert WhitePaperVersion.objects.get().published
    assert client_for("animateur").post(publish, {"published": "0"}).status_code == 302
    assert not WhitePaperVersion.objects.get().published


# --- permissions ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role,status",
    [
        ("animateur", 200),
        ("admin", 200),
        ("platform", 200),
        ("usager", 403),
        ("agent", 403),
        ("elu", 403),
        ("manager", 403),
        ("agent_b", 403),
        ("admin_b", 403),
    ],
)
def test_staff_page_permissions(pworld, client_for, role, status):
    page = reverse("processes:white_paper", args=[pworld.process.slug])
    assert client_for(role).get(page).status_code == status
    r = client_for(role).post(
        reverse("processes:white_paper_generate", args=[pworld.process.slug]), {}
    )
    assert r.status_code == (302 if status == 200 else 403)


def test_anonymous_staff_page_redirects(client, pworld):
    r = client.get(reverse("processes:white_paper", args=[pworld.process.slug]))
    assert r.status_code == 302
    r = client.post(reverse("processes:white_paper_generate", args=[pworld.process.slug]))
    assert r.status_code == 302 and not WhitePaperVersion.objects.exists()


@pytest.mark.parametrize("role", ["usager", "agent_b", "admin_b", "elu"])
def test_unpublished_version_hidden_from_non_managers(pworld, client_for, role):
    services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    args = [pworld.process.slug, 1]
    assert (
        client_for(role).get(reverse("processes:white_paper_version", args=args)).status_code == 404
    )
    assert client_for(role).get(reverse("processes:white_paper_pdf", args=args)).status_code == 404


def test_private_process_version_hidden(client, pworld, client_for):
    version = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    services_white_paper.white_paper_hand_over(
        version, actor=pworld["animateur"], on=timezone.localdate(), by_label="habitants"
    )
    pworld.process.is_public = False
    pworld.process.save()
    url = reverse("processes:white_paper_version", args=[pworld.process.slug, 1])
    assert client.get(url).status_code == 404
    assert client_for("usager").get(url).status_code == 404
    assert client_for("agent_b").get(url).status_code == 200  # organization involved


# --- PDF --------------------------------------------------------------------------------------
def test_pdf_is_valid_and_stored(client, pworld, content):
    version = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    services_white_paper.white_paper_hand_over(
        version, actor=pworld["animateur"], on=timezone.localdate(), by_label="habitants"
    )
    url = reverse("processes:white_paper_pdf", args=[pworld.process.slug, 1])
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    data = r.content
    assert data.startswith(b"%PDF") and b"%%EOF" in data[-1024:]
    stored = WhitePaperVersion.objects.get(pk=version.pk)
    assert bytes(stored.pdf) == data and stored.pdf_pages >= 3
    assert client.get(url).content == data  # the same bytes every time


# --- performance ------------------------------------------------------------------------------
def _generation_queries(pworld) -> int:
    with CaptureQueriesContext(connection) as ctx:
        services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    return len(ctx.captured_queries)


def test_generation_queries_do_not_grow_with_proposals(pworld, content):
    _generation_queries(pworld)  # creates the white paper, warms the content type cache
    small = _generation_queries(pworld)
    for n in range(30):
        idea = make_idea(pworld, f"Idée {n}", supports=n)
        Review.objects.create(
            idea=idea,
            expert=pworld["expert"],
            due_on=timezone.localdate(),
            text="ok",
            submitted_at=timezone.now(),
            published_at=timezone.now(),
        )
        start = timezone.now() - dt.timedelta(days=5, hours=n)
        event = Event.objects.create(
            process=pworld.process,
            kind=EventKind.WORKSHOP,
            title=f"Atelier {n}",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=1),
        )
        EventOutput.objects.create(event=event, idea=idea, kind="proposal")
    assert _generation_queries(pworld) == small
    assert small <= 25


def test_hourly_job_renders_published_pdfs(pworld):
    from cocon.core import schedule

    draft = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    shown = services_white_paper.white_paper_generate(pworld.process, actor=pworld["animateur"])
    services_white_paper.white_paper_publish(shown, actor=pworld["animateur"], published=True)
    assert "processes.white_paper_pdfs" in schedule._HOURLY
    assert services_white_paper.render_missing_pdfs() == 1
    assert WhitePaperVersion.objects.get(pk=shown.pk).pdf is not None
    assert WhitePaperVersion.objects.get(pk=draft.pk).pdf is None
    assert services_white_paper.render_missing_pdfs() == 0
