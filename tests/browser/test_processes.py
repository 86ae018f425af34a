"""Démarches in a real browser, on the demo territory (issue "Done when"):

1. the *Parc naturel urbain* template end to end: an animateur of the agglomeration
   creates and publishes the process; a public meeting gets registrations (an inhabitant
   with an account, and someone without one) with role and accessibility need;
   attendance is taken on a phone; an immersion walk; a workshop whose sticky notes
   become proposals of the process; the white paper and its PDF; the élu decides on
   every proposal (a refusal without reason first); the synthesis is published and
   notified; the charter is created, signed, revised, compared and signed again;
2. the ambassador draw of a Transfo call: same seed, same result, targets met; a pool
   that cannot meet a target shows the French explanation of the gap.
Every page visited passes the axe audit."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from .conftest import PHONE, audit, french, new_context, url

try:
    from playwright.sync_api import expect
except ImportError:  # reported by conftest: skipped, or failed under CI
    expect = None

pytestmark = pytest.mark.browser

ANIMATEUR = "animateur@demo.cocon.test"
INHABITANT = "usager@demo.cocon.test"
NOTES = [
    "Ouvrir un jardin partagé au bord de la Lise",
    "Relier les deux quartiers par une passerelle piétonne",
    "Installer des bancs à l'ombre le long du chemin de halage",
]


def elu_email() -> str:
    from cocon.demo import data

    return data.person_email("Jean-Pierre", "Garcin", data.AGGLO)


def sign_in(page, live_server, address: str):
    from cocon.demo.loader import DEMO_PASSWORD

    page.context.clear_cookies()
    page.goto(url(live_server, "/compte/connexion/"))
    form = page.locator("main form").first
    form.locator("input[name=email]").fill(address)
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(url(live_server, "/espace/"))


def new_page(browser, live_server, address: str | None, viewport=None):
    ctx = new_context(browser, viewport) if viewport else new_context(browser)
    page = ctx.new_page()
    page.set_default_timeout(20_000)
    if address:
        sign_in(page, live_server, address)
    return page


def local(moment: dt.datetime) -> str:
    """A datetime-local input value."""
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def create_event(page, live_server, process, *, kind, title, starts_at, capacity=None):
    page.goto(url(live_server, f"/demarches/{process.slug}/evenements/nouveau/"))
    page.select_option("select[name=kind]", value=kind)
    page.fill("input[name=title]", title)
    page.fill("input[name=starts_at]", local(starts_at))
    page.fill("input[name=ends_at]", local(starts_at + dt.timedelta(hours=2)))
    page.fill("input[name=place]", "Maison du projet, quai de la Lise")
    page.fill("textarea[name=accessibility]", "Accès de plain-pied, boucle magnétique.")
    if capacity:
        page.fill("input[name=capacity]", str(capacity))
    page.get_by_role("button", name=french("Save the event")).click()
    from cocon.processes.models.events import Event

    event = Event.objects.get(process=process, title=title)
    expect(page).to_have_url(url(live_server, f"/demarches/{process.slug}/evenements/{event.pk}/"))
    return event


def register(page, live_server, process, event, *, name=None, email=None, needs=""):
    page.goto(url(live_server, f"/demarches/{process.slug}/evenements/{event.pk}/"))
    page.locator(
        f"main a[href$='/demarches/{process.slug}/evenements/{event.pk}/inscription/']"
    ).click()
    audit(page)
    if name:
        page.fill("input[name=name]", name)
    if email:
        page.fill("input[name=email]", email)
    page.check("input[name=role][value=usager]")
    page.fill("textarea[name=accessibility_needs]", needs)
    page.check("input[name=email_consent]")
    page.get_by_role("button", name=french("Register"), exact=True).click()
    page.wait_for_url(f"**/evenements/{event.pk}/inscription/*/")
    audit(page)


def test_pnu_process_end_to_end(browser, live_server):
    from django.urls import reverse
    from django.utils import timezone

    from cocon.accounts.models import User
    from cocon.core.models import Notification, OutboxEmail
    from cocon.demo import data
    from cocon.ideas.models import Idea
    from cocon.processes.models.charter import Signature
    from cocon.processes.models.decisions import ProposalDecision as Decision
    from cocon.processes.models.events import Registration
    from cocon.processes.models.process import Process
    from cocon.territory.models import Organization

    agglo = Organization.objects.get(slug=data.AGGLO)
    today = timezone.localdate()
    title = "Parc naturel urbain des berges de la Lise"

    # 1. the animateur creates the process from the PNU template, then publishes it.
    # The first phase starts 70 days ago so that today falls in the "Atelier de projet"
    # phase, whose call for proposals is open: the workshop outputs need it, and the UI
    # would otherwise make us wait two months.
    staff = new_page(browser, live_server, ANIMATEUR)
    staff.goto(url(live_server, "/demarches/nouvelle/"))
    audit(staff)
    organization = staff.locator("select[name=organization]")
    if organization.count():
        organization.select_option(value=str(agglo.pk))
    staff.check("input[name=template][value=pnu]")
    staff.fill("input[name=title]", title)
    staff.fill(
        "textarea[name=question]",
        "Comment faire des berges de la Lise un parc ouvert à tous les habitants ?",
    )
    staff.fill("input[name=starts_on]", (today - dt.timedelta(days=70)).isoformat())
    staff.get_by_role("button", name=french("Create the process")).click()
    staff.wait_for_url("**/pilotage/")
    process = Process.objects.get(title=title)
    assert process.organization_id == agglo.pk and process.template == "pnu"
    assert process.phases.count() == 8 and process.campaign_id
    audit(staff)
    staff.get_by_role("button", name=french("Publish"), exact=True).click()
    staff.wait_for_url("**/pilotage/")
    process.refresh_from_db()
    assert process.published_at is not None
    staff.goto(url(live_server, f"/demarches/{process.slug}/evenements/nouveau/"))
    audit(staff)

    # 2. a public meeting next week; an inhabitant and someone without an account register
    soon = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=7)
    meeting = create_event(
        staff,
        live_server,
        process,
        kind="meeting",
        title="Réunion publique",
        starts_at=soon,
        capacity=40,
    )
    audit(staff)
    inhabitant = new_page(browser, live_server, INHABITANT)
    register(inhabitant, live_server, process, meeting, needs="Je me déplace en fauteuil.")
    mine = Registration.objects.get(event=meeting, user__email=INHABITANT)
    assert (mine.role, mine.accessibility_needs, mine.status) == (
        "usager",
        "Je me déplace en fauteuil.",
        "registered",
    )
    anonymous = new_page(browser, live_server, None)
    register(
        anonymous,
        live_server,
        process,
        meeting,
        name="Nadia",
        email="nadia@example.org",
        needs="Boucle magnétique, s'il vous plaît.",
    )
    anonymous.context.close()
    assert Registration.objects.get(event=meeting, email="nadia@example.org").user_id is None

    # 3. attendance, on a phone
    phone = new_page(browser, live_server, ANIMATEUR, PHONE)
    phone.goto(url(live_server, f"/demarches/{process.slug}/evenements/{meeting.pk}/presences/"))
    audit(phone)
    # nothing wider than the phone's screen
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    row = phone.locator(f"#r{mine.pk}")
    expect(row).to_contain_text("Je me déplace en fauteuil.")
    row.locator("button[name=attended][value='1']").click()
    expect(phone.locator(f"#r{mine.pk}")).to_have_class(re.compile(r"\bis-present\b"))
    mine.refresh_from_db()
    assert mine.attended is True
    audit(phone)
    phone.fill("input[name=name]", "Marc, garde du parc")
    phone.select_option("select[name=role]", value="agent")
    phone.select_option("select[name=category]", value="C")
    phone.get_by_role("button", name=french("Add, present")).click()
    phone.wait_for_url(f"**/evenements/{meeting.pk}/presences/")
    walk_in = Registration.objects.get(event=meeting, walk_in=True)
    assert (walk_in.role, walk_in.attended) == ("agent", True)
    expect(phone.locator(f"#r{walk_in.pk}")).to_contain_text("Marc, garde du parc")
    audit(phone)
    phone.goto(url(live_server, f"/demarches/{process.slug}/evenements/{meeting.pk}/composition/"))
    audit(phone)
    phone.context.close()

    # 4. an immersion walk, then the project workshop with its sticky notes
    walk = create_event(
        staff,
        live_server,
        process,
        kind="walk",
        title="Promenade en immersion",
        starts_at=soon + dt.timedelta(days=3),
    )
    assert walk.kind == "walk"
    workshop = create_event(
        staff,
        live_server,
        process,
        kind="workshop",
        title="Atelier de projet",
        starts_at=timezone.now() - dt.timedelta(hours=3),
    )
    staff.goto(url(live_server, f"/demarches/{process.slug}/evenements/{workshop.pk}/productions/"))
    audit(staff)
    staff.select_option("select[name=kind]", value="sticky_note")
    staff.fill("textarea[name=notes]", "\n".join(NOTES))
    staff.get_by_role("button", name=french("Enter these outputs")).click()
    staff.wait_for_url(f"**/evenements/{workshop.pk}/productions/")
    proposals = list(Idea.objects.filter(campaign_id=process.campaign_id).order_by("pk"))
    assert [i.event_output.event_id for i in proposals] == [workshop.pk] * 3
    assert {i.event_output.kind for i in proposals} == {"sticky_note"}
    for note in NOTES:
        expect(staff.locator("main")).to_contain_text(note[:40])
    audit(staff)
    staff.locator("main .event-outputs a").first.click()
    expect(staff.locator("h1")).to_contain_text(proposals[0].title[:30])
    audit(staff)
    staff.goto(url(live_server, f"/demarches/{process.slug}/evenements/"))
    audit(staff)
    expect(staff.locator("main")).to_contain_text("Promenade en immersion")

    # 5. the white paper and its PDF
    staff.goto(url(live_server, f"/demarches/{process.slug}/livre-blanc/"))
    audit(staff)
    staff.get_by_role("button", name=french("Generate the white paper")).click()
    staff.wait_for_url("**/livre-blanc/v1/")
    audit(staff)
    expect(staff.locator("main")).to_contain_text(NOTES[0][:30])
    pdf = staff.request.get(url(live_server, f"/demarches/{process.slug}/livre-blanc/v1.pdf"))
    assert pdf.status == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:4] == b"%PDF"
    # the white paper is handed over to the élus by the inhabitants: frozen and public
    staff.goto(url(live_server, f"/demarches/{process.slug}/livre-blanc/"))
    version = staff.locator("[data-version='1']")
    version.locator("summary").click()
    version.locator("input[name$='-on']").fill(today.isoformat())
    version.locator("input[name$='-by_label']").fill("Les habitants du quartier des Berges")
    version.get_by_role("button", name=french("Record the hand-over")).click()
    staff.wait_for_url("**/livre-blanc/")
    expect(staff.locator("[data-version='1']")).to_contain_text(french("handed over to the élus"))
    audit(staff)

    # 6. the élu decides on every proposal; a refusal without reason first
    elu = new_page(browser, live_server, elu_email())
    elu.goto(url(live_server, f"/demarches/{process.slug}/decisions/"))
    audit(elu)
    outcomes = ["rejected", "retained", "retained"]
    for idea, outcome in zip(proposals, outcomes, strict=True):
        elu.goto(url(live_server, f"/demarches/{process.slug}/decisions/"))
        elu.locator(f"a[href$='/decisions/{idea.pk}/']").click()
        elu.check(f"input[name=outcome][value={outcome}]")
        elu.fill("input[name=authority]", "Conseil communautaire")
        elu.fill("input[name=decided_on]", today.isoformat())
        if outcome == "rejected":
            audit(elu)
            with elu.expect_response(lambda r: r.request.method == "POST") as posted:
                elu.get_by_role("button", name=french("Record the decision")).click()
            assert posted.value.status == 400
            error = elu.locator("#id_reason_error")
            expect(error).to_contain_text(
                french("A decision must give its reason: participants will read it.")
            )
            audit(elu)
            assert not Decision.objects.filter(idea=idea).exists()
            elu.fill("textarea[name=reason]", "Le terrain est inondable : pas de jardin ici.")
        else:
            elu.fill("textarea[name=reason]", "Retenu pour le programme d'actions 2027.")
        elu.get_by_role("button", name=french("Record the decision")).click()
        elu.wait_for_url(f"**/demarches/{process.slug}/decisions/")
    assert Decision.objects.filter(idea__in=proposals).count() == 3
    elu.context.close()

    # 7. the synthesis, published and notified
    staff.goto(url(live_server, f"/demarches/{process.slug}/synthese/"))
    audit(staff)
    staff.get_by_role("button", name=french("Publish and tell the participants")).click()
    expect(staff.locator("[data-synthesis-notified]")).to_be_visible()
    audit(staff)
    resident = User.objects.get(email=INHABITANT)
    synthesis_path = f"/demarches/{process.slug}/synthese/"
    assert Notification.objects.filter(
        recipient=resident, kind="processes.synthesis", url__endswith=synthesis_path
    ).exists()
    # by email where they agreed at registration: the inhabitant (an account) and Nadia
    # (no account); the synthesis's link is in the email
    sent = {
        address
        for mail in OutboxEmail.objects.all()
        if synthesis_path in mail.body
        for address in (mail.to if isinstance(mail.to, list) else [mail.to])
    }
    assert {"nadia@example.org", INHABITANT} <= sent
    inhabitant.goto(url(live_server, f"/demarches/{process.slug}/synthese/"))
    audit(inhabitant)
    main = inhabitant.locator("main")
    expect(main).to_contain_text("Le terrain est inondable")
    expect(main).to_contain_text("Retenu pour le programme d'actions 2027.")
    expect(inhabitant.locator("[data-outcome=rejected]")).to_contain_text(NOTES[0][:30])

    # 8. the charter: created, published, signed (twice: refused), revised, compared,
    # signed again
    staff.goto(url(live_server, f"/demarches/{process.slug}/charte/"))
    staff.wait_for_url("**/charte/modifier/")
    audit(staff)
    staff.fill(
        "textarea[name=text]",
        "La collectivité entretient les berges.\n\nLes habitants signalent les dégradations.",
    )
    staff.get_by_role("button", name=french("Create the charter")).click()
    staff.wait_for_url("**/charte/modifier/")
    audit(staff)
    staff.get_by_role("button", name=french("Publish version %(n)s") % {"n": 1}).click()
    staff.wait_for_url(f"**/demarches/{process.slug}/charte/")
    audit(staff)

    sign = french("Sign version %(n)s")

    def signatures(number: int) -> int:
        return Signature.objects.filter(
            user=resident, version__charter__process=process, version__number=number
        ).count()

    inhabitant.goto(url(live_server, f"/demarches/{process.slug}/charte/"))
    audit(inhabitant)
    inhabitant.get_by_role("button", name=sign % {"n": 1}).click()
    expect(inhabitant.locator("main")).to_contain_text(
        french("Thank you: your signature is recorded.")
    )
    assert signatures(1) == 1
    with inhabitant.expect_response(lambda r: r.request.method == "POST") as posted:
        inhabitant.get_by_role("button", name=sign % {"n": 1}).click()
    assert posted.value.status == 400
    already = french("You already signed this version of the charter on %(date)s.")
    expect(inhabitant.locator("main")).to_contain_text(already.split("%(date)s")[0].strip())
    audit(inhabitant)
    assert signatures(1) == 1

    staff.goto(url(live_server, f"/demarches/{process.slug}/charte/modifier/"))
    staff.fill(
        "textarea[name=text]",
        "La collectivité entretient les berges chaque trimestre.\n\n"
        "Les habitants signalent les dégradations.",
    )
    staff.fill("textarea[name=note]", "Fréquence d'entretien précisée.")
    staff.get_by_role("button", name=french("Save the draft")).click()
    staff.wait_for_url("**/charte/modifier/")
    staff.get_by_role("button", name=french("Publish version %(n)s") % {"n": 2}).click()
    staff.wait_for_url(f"**/demarches/{process.slug}/charte/")
    staff.goto(url(live_server, f"/demarches/{process.slug}/charte/diff/1/2/"))
    audit(staff)
    expect(staff.locator("main")).to_contain_text("chaque trimestre")
    assert staff.locator("main ins").filter(has_text="trimestre").count() >= 1

    inhabitant.goto(url(live_server, f"/demarches/{process.slug}/charte/"))
    expect(inhabitant.locator("[data-to-renew]")).to_contain_text(resident.full_name)
    inhabitant.get_by_role("button", name=sign % {"n": 2}).click()
    expect(inhabitant.locator("main")).to_contain_text(
        french("Thank you: your signature is recorded.")
    )
    audit(inhabitant)
    assert signatures(2) == 1

    # 9. the public page of the process shows everything produced so far
    public = new_page(browser, live_server, None)
    public.goto(url(live_server, f"/demarches/{process.slug}/"))
    audit(public)
    main = public.locator("main")
    expect(main).to_contain_text("Atelier de projet")
    expect(main).to_contain_text("Réunion publique")
    slug = process.slug
    for path in ("synthese/", "charte/", "livre-blanc/v1/"):
        expect(main.locator(f"a[href$='/demarches/{slug}/{path}']").first).to_be_visible()
    # the sticky notes are proposals of the process's call for proposals, for everyone
    public.goto(url(live_server, reverse("ideas:campaign", args=[process.campaign_id])))
    audit(public)
    for note in NOTES:
        expect(public.locator("main")).to_contain_text(note[:40])
    public.context.close()
    inhabitant.context.close()
    staff.context.close()


# --- ambassador draw ------------------------------------------------------------------------


def transfo_call(*, seats, targets, pool):
    """A Transfo process of the agglomeration and its call, closed, with approved
    applications (category, service, gender) — set up with the services."""
    from decimal import Decimal

    from django.utils import timezone

    from cocon.accounts.models import User
    from cocon.demo import data
    from cocon.processes import services_ambassadors, services_process
    from cocon.processes.models.ambassadors import Application
    from cocon.territory.models import Organization

    animateur = User.objects.get(email=ANIMATEUR)
    agglo = Organization.objects.get(slug=data.AGGLO)
    today = timezone.localdate()
    process = services_process.process_create(
        actor=animateur,
        organization=agglo,
        template="transfo",
        title=f"La Transfo du Val de Lise {seats}-{len(pool)}",
        question="Comment transformer nos services avec les agents ?",
        starts_on=today - dt.timedelta(days=20),
        is_public=True,
    )
    services_process.process_publish(process, actor=animateur)
    call = services_ambassadors.call_create(
        process=process,
        by=animateur,
        title="Ambassadeurs de la Transfo",
        commitment="3 jours par mois pendant 16 mois",
        days_per_month=Decimal(3),
        months=16,
        opens_on=today - dt.timedelta(days=15),
        closes_on=today + dt.timedelta(days=10),
        seats=seats,
        targets=targets,
    )
    for n, (category, service, gender) in enumerate(pool, start=1):
        Application.objects.create(
            call=call,
            key=f"C-{n:04d}",
            motivation="Envie de changer les choses.",
            category=category,
            service_label=service,
            gender=gender,
            manager_decision="approved",
        )
    call.key_counter = len(pool)
    call.closed_at = timezone.now()
    call.save(update_fields=["key_counter", "closed_at"])
    return call


def run_draw(page, live_server, call):
    page.goto(url(live_server, f"/demarches/ambassadeurs/{call.pk}/tirage/"))
    audit(page)
    expect(page.locator("[data-seed]")).to_have_text(call.seed)
    page.check("input[name=confirm]")
    page.get_by_role("button", name=french("Confirm the draw")).click()
    page.wait_for_url(f"**/demarches/ambassadeurs/{call.pk}/resultat/")
    audit(page)


def test_ambassador_draw_same_seed_same_result_and_targets(browser, live_server):
    from cocon.lib import draw as draw_lib
    from cocon.processes.models.ambassadors import Application

    pool = [
        ("A", "Eau", "F"),
        ("A", "Déchets", "M"),
        ("B", "Eau", "M"),
        ("B", "Eau", "F"),
        ("C", "Déchets", "F"),
        ("C", "Eau", "M"),
        ("C", "Eau", ""),
        ("C", "Déchets", "M"),
        ("C", "Eau", "F"),
        ("A", "Eau", "other"),
    ]
    call = transfo_call(seats=4, targets={"category": {"A": 25, "B": 25, "C": 50}}, pool=pool)
    page = new_page(browser, live_server, ANIMATEUR)
    run_draw(page, live_server, call)

    # the result: the published seed, 4 selected, the others on the waiting list
    expect(page.locator("[data-seed]")).to_have_text(call.seed)
    selected = page.locator("table[data-result] tbody tr[data-selected]")
    expect(selected).to_have_count(4)
    expect(page.locator("table[data-result] tbody tr")).to_have_count(len(pool))
    expect(page.locator("main")).to_contain_text(french("waiting list no. %(n)s") % {"n": 1})
    expect(page.locator("[data-gaps]")).to_have_count(0)
    chosen = list(Application.objects.filter(call=call, selected=True))
    first = sorted(a.key for a in chosen)
    shown = sorted(k for k in selected.evaluate_all("rows => rows.map(r => r.dataset.row)"))
    assert shown == first
    # the targets are met: 25 % A, 25 % B, 50 % C of 4 seats, in the DB and on the page
    assert sorted(a.category for a in chosen) == ["A", "B", "C", "C"]
    for category, seats in (("A", 1), ("B", 1), ("C", 2)):
        cell = page.get_by_role("cell", name=category, exact=True)
        expect(selected.filter(has=cell)).to_have_count(seats)
    ranks = dict(Application.objects.filter(call=call).values_list("key", "draw_rank"))

    # anyone re-running the downloaded data gets the same result
    with page.expect_download() as info:
        page.get_by_role("link", name=french("Data of the draw (JSON)")).click()
    published = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert published["seed"] == call.seed
    rerun = draw_lib.draw(
        [draw_lib.Candidate(c["key"], c["values"]) for c in reversed(published["candidates"])],
        seats=published["seats"],
        targets=published["targets"],
        seed=published["seed"],
    )
    assert sorted(rerun.selected) == first
    assert rerun.waiting_list == published["waiting_list"]

    # drawing again in the browser with the same seed gives the same result
    page.get_by_role("link", name=french("Draw again")).click()
    page.wait_for_url(f"**/demarches/ambassadeurs/{call.pk}/tirage/")
    run_draw(page, live_server, call)
    assert dict(Application.objects.filter(call=call).values_list("key", "draw_rank")) == ranks
    page.context.close()


def test_ambassador_draw_explains_a_target_that_cannot_be_met(browser, live_server):
    call = transfo_call(
        seats=4,
        targets={"category": {"A": 50, "C": 50}},
        pool=[("A", "Eau", "F")] + [("C", "Eau", "M")] * 5,
    )
    page = new_page(browser, live_server, ANIMATEUR)
    page.goto(url(live_server, f"/demarches/ambassadeurs/{call.pk}/tirage/"))
    audit(page)
    gaps = page.locator("[data-gaps]")
    expect(gaps).to_contain_text(french("Targets not met"))
    expect(gaps.locator("[data-gap='category:A']")).to_be_visible()
    expect(gaps).to_contain_text(
        french(
            "The pool of approved applications cannot meet every target. The selection shown "
            "is the closest the published procedure reaches."
        )
    )
    run_draw(page, live_server, call)
    expect(page.locator("[data-gaps] [data-gap='category:A']")).to_be_visible()
    page.context.close()


def test_demo_transfo_draw_reruns_identically(browser, live_server):
    """The demo's running Transfo call (drawn by the loader): anyone downloads the draw's
    data and re-runs it to the same result; the animateur draws again in the browser with
    the same seed and gets the same ranks. Every target is met, or its gap is explained
    on the page."""
    from cocon.lib import draw as draw_lib
    from cocon.processes.models.ambassadors import AmbassadorCall, Application

    call = AmbassadorCall.objects.get(
        process__title__startswith="La Transfo", drawn_at__isnull=False, finalized_at=None
    )
    ranks = dict(Application.objects.filter(call=call).values_list("key", "draw_rank"))

    # anyone, without an account: the result and its data
    public = new_page(browser, live_server, None)
    public.goto(url(live_server, f"/demarches/ambassadeurs/{call.pk}/resultat/"))
    audit(public)
    expect(public.locator("[data-seed]")).to_have_text(call.seed)
    selected = public.locator("table[data-result] tbody tr[data-selected]")
    expect(selected).to_have_count(call.seats)
    with public.expect_download() as info:
        public.get_by_role("link", name=french("Data of the draw (JSON)")).click()
    published = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    rerun = draw_lib.draw(
        [draw_lib.Candidate(c["key"], c["values"]) for c in published["candidates"]],
        seats=published["seats"],
        targets=published["targets"],
        seed=published["seed"],
    )
    assert (rerun.selected, rerun.waiting_list) == (
        published["selected"],
        published["waiting_list"],
    )
    chosen = list(Application.objects.filter(call=call, selected=True))
    assert sorted(a.key for a in chosen) == sorted(published["selected"])
    for attribute, quotas in rerun.quotas.items():
        for value, quota in quotas.items():
            achieved = sum(1 for a in chosen if a.draw_values()[attribute] == value)
            if achieved < quota:  # not met: the page says by how much, and why
                gap = public.locator(f"[data-gap='{attribute}:{value}']")
                expect(gap).to_be_visible()
    public.context.close()

    # the animateur draws again: same seed, same ranks
    page = new_page(browser, live_server, ANIMATEUR)
    page.goto(url(live_server, f"/demarches/ambassadeurs/{call.pk}/resultat/"))
    page.get_by_role("link", name=french("Draw again")).click()
    run_draw(page, live_server, call)
    assert dict(Application.objects.filter(call=call).values_list("key", "draw_rank")) == ranks
    page.context.close()
