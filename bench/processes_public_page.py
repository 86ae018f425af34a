#!/usr/bin/env python3
"""Server time of the public page of a process (issue 7, "Measured": "the public process
page p95 < 200 ms" with 2,000 proposals and 20 events).

In a database of its own — a SQLite file in a temporary directory, or the database given
by --database-url (migrated; the bench territory "bench-processes" is rebuilt at each
run) — it:

1. creates a territory, two organizations, 300 users, and a Parc naturel urbain process
   with `services_process.process_create` (its phases and Idées campaign), published;
2. writes 2,000 proposals in the process's campaign (ideas, public, every 10th waiting
   for moderation or kept inside the organization) with 0-40 supports each (Support rows,
   heavy tail, `support_count` equal to the rows), 20 events spread over the phases with
   about 30 registrations each (mixed roles, a few on the waiting list or cancelled,
   attendance taken for past events);
3. fills every other section of the page (direct ORM, bulk_create): a ProposalDecision
   on every proposal of the page (the 1,800 not awaiting moderation; about 40 % retained
   or retained with changes, the rest rejected or out of scope; reason, authority, a
   date in the past; the idea's state, decision text and signature set to match —
   "retained" or "rejected") and a published synthesis; four services of the
   organization and 12 actions of the programme (budget band, status, progress, 1-5
   retained proposals each, 3 milestones each); a charter with versions 1 and 2
   published, 300 signatures on v1 (nine in ten inhabitants, one in ten associations)
   and 120 on v2 renewing them; 5 published personas with 3 quotes each (source label
   only); a white paper whose version 1 is handed over to the élus and published (short
   html, no pdf); a closed call for ambassadors (12 seats, targets by category and
   gender) with 40 approved applications of agents of the organization (agent profiles),
   drawn with `services_ambassadors.draw_run`;
4. fetches the page once and checks that each section is on it (the heading id of each
   section's template, plus the drawn result, the outcome counts, the synthesis and
   programme links): it lists them and refuses to time when one is missing (exit 1);
5. requests `processes:detail` --runs times (default 200, at least 100) anonymously with
   Django's test client (middleware, view, every domain's section, templates; no HTTP
   server), after one warm-up; prints p50 / p95 / max in ms and the statement count.
   Target: p95 < 200 ms (exit status 2 when missed).

    python3 bench/processes_public_page.py
    python3 bench/processes_public_page.py --database-url postgres://postgres@127.0.0.1:5432/bench_process

It re-runs itself with the checkout's venv (.venv/bin/python).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
SLUG = "bench-processes"
TARGET_MS = 200.0
ROLES = ["usager"] * 5 + ["agent"] * 3 + ["expert", "elu", "association", "administration"]


# a distinctive marker of each section's template (its heading id, and what it shows when
# the section is full)
SECTIONS = {
    "events": ['id="process-events-title"'],
    "ambassadors": ['id="ambassadors-title"', "data-ambassadors-drawn"],
    "personas": ['id="personas-title"'],
    "white paper": ['id="white-paper-title"'],
    "decisions": ['id="decisions-public-title"', 'data-outcome="retained"'],
    "charter": ['id="process-charter-title"'],
    "proposals": ['id="process-proposals-title"'],
}


def setup(args) -> None:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["COCON_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cocon.settings")
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    import logging

    from django.conf import settings
    from django.core.management import call_command
    from django.test.utils import override_settings

    logging.getLogger("cocon.requests").setLevel(logging.WARNING)
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages, ALLOWED_HOSTS=["*"]).enable()
    call_command("migrate", verbosity=0)


def build(args, rnd: random.Random):
    from django.db import transaction
    from django.utils import timezone

    from cocon.accounts.models import Role, RoleKind, User
    from cocon.ideas.models import Idea, Support, Visibility
    from cocon.processes import services_process
    from cocon.processes.models import Event, Process, Registration
    from cocon.territory.models import Organization, OrganizationKind, Territory

    Process.objects.filter(territory__slug=SLUG).delete()  # organizations are protected
    # agent profiles protect the organizations too: users go before the territory
    User.objects.filter(email__endswith="@bench-processes.test").delete()
    Territory.objects.filter(slug=SLUG).delete()
    # the page serves the instance's territory: make ours the first one when alone
    territory = Territory.objects.create(name="Bench démarches", slug=SLUG)
    org = Organization.objects.create(
        territory=territory, slug="bench-agglo", name="Agglo du bench", kind=OrganizationKind.EPCI
    )
    partner = Organization.objects.create(
        territory=territory,
        slug="bench-dep",
        name="Département du bench",
        kind=OrganizationKind.DEPARTEMENT,
    )
    territory.host_organization = org
    territory.save()
    users = User.objects.bulk_create(
        [
            User(email=f"u{i}@bench-processes.test", full_name=f"Habitant {i}")
            for i in range(args.users)
        ]
    )
    animateur = users[0]
    Role.objects.create(user=animateur, organization=org, kind=RoleKind.ANIMATEUR)
    today = timezone.localdate()
    with transaction.atomic():
        process = services_process.process_create(
            actor=animateur,
            organization=org,
            template="pnu",
            title="Parc naturel urbain des Berges",
            question="Quel parc naturel urbain voulons-nous au bord de la rivière ?",
            starts_on=today - dt.timedelta(days=80),
            organizations=[partner],
            sponsor_label="Élue à la nature en ville",
        )
        services_process.process_publish(process, actor=animateur)
    process = Process.objects.get(pk=process.pk)
    phases = list(process.phases.all())
    t0 = time.perf_counter()
    ideas = []
    for i in range(args.proposals):
        ideas.append(
            Idea(
                campaign_id=process.campaign_id,
                organization=org,
                author=rnd.choice(users),
                author_category="usager",
                visibility=Visibility.ORGANIZATION if i % 10 == 3 else Visibility.PUBLIC,
                awaiting_moderation=i % 10 == 7,
                title=f"Proposition {i} pour le parc des berges",
                problem="Les berges sont peu accessibles.",
                proposal="Aménager un cheminement et des bancs.",
                benefit="Profiter de la rivière.",
                decision_level="elus",
            )
        )
    ideas = Idea.objects.bulk_create(ideas, batch_size=500)
    supports = []
    for idea in ideas:
        n = min(len(users), int(rnd.paretovariate(1.5)) - 1)
        n = min(n, 40)
        for user in rnd.sample(users, n):
            supports.append(Support(idea=idea, user=user))
        idea.support_count = n
    Support.objects.bulk_create(supports, batch_size=1000)
    Idea.objects.bulk_update(ideas, ["support_count"], batch_size=500)
    events, registrations = [], []
    now = timezone.now()
    for i in range(args.events):
        phase = phases[i % 3]
        day = phase.starts_on + dt.timedelta(
            days=i % max(1, (phase.ends_on - phase.starts_on).days)
        )
        starts = timezone.make_aware(dt.datetime.combine(day, dt.time(18)))
        events.append(
            Event(
                process=process,
                phase=phase,
                kind=["meeting", "walk", "workshop"][i % 3],
                title=f"Rencontre {i}",
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                place="Salle des fêtes",
                capacity=30,
                target_mix={"usager": 15, "agent": 8, "expert": 3, "elu": 2, "association": 2},
                created_by=animateur,
            )
        )
    events = Event.objects.bulk_create(events)
    for event in events:
        for j in range(rnd.randint(25, 35)):
            status = "waiting" if j >= 30 else ("cancelled" if j % 17 == 0 else "registered")
            registrations.append(
                Registration(
                    event=event,
                    name=f"Participant {j}",
                    role=rnd.choice(ROLES),
                    status=status,
                    attended=(rnd.random() < 0.8) if event.ends_at < now else None,
                )
            )
    Registration.objects.bulk_create(registrations, batch_size=1000)
    print(
        f"- Built {len(ideas):,} proposals, {len(supports):,} supports, {len(events)} events, "
        f"{len(registrations):,} registrations in {time.perf_counter() - t0:.1f} s"
    )
    t0 = time.perf_counter()
    built = build_sections(args, rnd, process, org, users, ideas)
    print(f"- Built {built} in {time.perf_counter() - t0:.1f} s")
    return process


OUTCOMES = (
    ["retained"] * 5 + ["retained_with_changes"] * 3 + ["rejected"] * 8 + ["out_of_scope"] * 4
)
SERVICES = [
    ("espaces-verts", "Espaces verts"),
    ("voirie", "Voirie et mobilités"),
    ("eau", "Eau et assainissement"),
    ("culture", "Culture et vie associative"),
]


def build_sections(args, rnd: random.Random, process, org, users, ideas) -> str:
    """The content of every other section of the page: decisions and synthesis, action
    programme, charter and signatures, personas, white paper, call for ambassadors."""
    from django.db import transaction
    from django.utils import timezone

    from cocon.accounts.models import AgentProfile, Category
    from cocon.ideas.models import Idea, State
    from cocon.processes import services_ambassadors
    from cocon.processes.models.ambassadors import AmbassadorCall, Application, Decision
    from cocon.processes.models.charter import Charter, CharterVersion, Signature, SignerKind
    from cocon.processes.models.decisions import (
        RETAINED_OUTCOMES,
        Action,
        ActionStatus,
        BudgetBand,
        Milestone,
        ProposalDecision,
        Synthesis,
    )
    from cocon.processes.models.personas import Persona, PersonaQuote
    from cocon.processes.models.white_paper import WhitePaper, WhitePaperVersion
    from cocon.processes.selectors_decisions import proposals
    from cocon.territory.models import Service

    animateur = users[0]
    now = timezone.now()
    today = timezone.localdate()
    authority = "Conseil communautaire du " + (today - dt.timedelta(days=20)).strftime("%d/%m/%Y")

    # 1. a decision on every proposal of the page (the ideas take it), a published synthesis
    visible = set(proposals(process).values_list("pk", flat=True))
    decisions, retained = [], []
    for idea in ideas:
        if idea.pk not in visible:
            continue
        outcome = rnd.choice(OUTCOMES)
        decided_on = today - dt.timedelta(days=rnd.randint(10, 30))
        reason = f"Décision motivée sur la proposition {idea.pk} : avis des services et budget."
        changes = "Emplacement revu avec le service." if outcome == "retained_with_changes" else ""
        decisions.append(
            ProposalDecision(
                process=process,
                idea=idea,
                outcome=outcome,
                reason=reason,
                changes=changes,
                authority=authority,
                decided_on=decided_on,
                decided_by=animateur,
            )
        )
        idea.state = State.RETAINED if outcome in RETAINED_OUTCOMES else State.REJECTED
        idea.decided_at = timezone.make_aware(dt.datetime.combine(decided_on, dt.time(20)))
        idea.decision_text = reason + (f"\n\n{changes}" if changes else "")
        idea.decision_signature = authority
        idea.decided_by = animateur
        if outcome in RETAINED_OUTCOMES:
            retained.append(idea)
    with transaction.atomic():
        ProposalDecision.objects.bulk_create(decisions, batch_size=500)
        Idea.objects.bulk_update(
            [i for i in ideas if i.pk in visible],
            ["state", "decided_at", "decision_text", "decision_signature", "decided_by"],
            batch_size=500,
        )
    Synthesis.objects.create(
        process=process,
        introduction="Merci à toutes et à tous : voici ce qui a été décidé, et pourquoi.",
        published_at=now - dt.timedelta(days=5),
        published_by=animateur,
        notified_at=now - dt.timedelta(days=5),
        recipients_count=len(users),
        emails_count=len(users) - 20,
        in_app_count=len(users),
    )

    # 2. the action programme: 12 actions of the organization's services, 3 milestones each
    services = Service.objects.bulk_create(
        [Service(organization=org, slug=slug, name=name) for slug, name in SERVICES]
    )
    statuses = [ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE]
    actions = []
    for i in range(12):
        status = ActionStatus.ABANDONED if i == 11 else statuses[i % 3]
        progress = {"planned": 0, "in_progress": rnd.randint(10, 90), "done": 100}.get(status, 30)
        actions.append(
            Action(
                process=process,
                title=f"Action {i + 1} : aménagement des berges",
                description="Mise en œuvre des propositions retenues.",
                service=services[i % len(services)],
                owner=animateur,
                owner_function="Responsable espaces verts",
                budget_band=BudgetBand.values[i % len(BudgetBand.values)],
                status=status,
                abandon_reason="Budget réaffecté." if status == ActionStatus.ABANDONED else "",
                progress=progress,
                starts_on=today - dt.timedelta(days=15),
                due_on=today + dt.timedelta(days=30 * (i + 1)),
                created_by=animateur,
                created_at=now - dt.timedelta(days=15, minutes=i),
            )
        )
    actions = Action.objects.bulk_create(actions)
    links = []
    for action in actions:
        for idea in rnd.sample(retained, min(len(retained), rnd.randint(1, 5))):
            links.append(Action.ideas.through(action=action, idea=idea))
    Action.ideas.through.objects.bulk_create(links, ignore_conflicts=True)
    milestones = []
    for action in actions:
        for k in range(3):
            due = today + dt.timedelta(days=(k - 1) * 60)
            done = action.status == ActionStatus.DONE or (
                action.status == ActionStatus.IN_PROGRESS and due < today
            )
            milestones.append(
                Milestone(
                    action=action,
                    title=["Études", "Travaux", "Inauguration"][k],
                    due_on=due,
                    done_on=min(due, today) if done else None,
                )
            )
    Milestone.objects.bulk_create(milestones)

    # 3. the charter: v1 and v2 published, 300 signatures on v1, 120 (renewals) on v2
    charter = Charter.objects.create(
        process=process,
        title="Charte du parc naturel urbain",
        next_revision_on=today + dt.timedelta(days=600),
        created_by=animateur,
    )
    v1, v2 = CharterVersion.objects.bulk_create(
        [
            CharterVersion(
                charter=charter,
                number=n,
                text="Nous nous engageons à respecter le parc.\n\nEt à en prendre soin.",
                note="" if n == 1 else "Ajout d'un engagement sur l'eau.",
                created_by=animateur,
                published_at=now - dt.timedelta(days=90 if n == 1 else 10),
                published_by=animateur,
            )
            for n in (1, 2)
        ]
    )

    def signature(version, k, renews=None):
        user = users[k % len(users)]
        association = k % 10 == 9  # mostly inhabitants, some associations
        return Signature(
            version=version,
            signer_kind=SignerKind.ASSOCIATION if association else SignerKind.INHABITANT,
            name=f"Association des berges {k}" if association else user.full_name,
            user=user,
            signed_at=version.published_at + dt.timedelta(hours=k),
            renews=renews,
        )

    n1 = min(300, len(users))
    first = Signature.objects.bulk_create([signature(v1, k) for k in range(n1)])
    second = Signature.objects.bulk_create(
        [signature(v2, k, renews=first[k]) for k in range(min(120, n1))]
    )

    # 4. five published personas, 3 quotes each
    ages = ["15-29", "30-44", "45-59", "60-74", "75+"]
    personas = Persona.objects.bulk_create(
        [
            Persona(
                process=process,
                name=name,
                age_band=ages[i],
                situation=f"{name} vit près de la rivière et traverse les berges chaque jour.",
                needs="Des cheminements accessibles, de l'ombre, des bancs.",
                pains="Des berges boueuses, peu d'éclairage.",
                journey="Sort de chez soi\nLonge la rivière\nS'arrête au square",
                position=i,
                published=True,
                created_by=animateur,
            )
            for i, name in enumerate(["Léa", "Karim", "Sophie", "Marcel", "Yvette"])
        ]
    )
    PersonaQuote.objects.bulk_create(
        [
            PersonaQuote(
                persona=persona,
                text=f"« Citation {k + 1} de {persona.name} sur le parc. »",
                source_label=["entretien du 12 mars", "atelier du 3 avril", "balade du 5 mai"][k],
                position=k,
                created_by=animateur,
            )
            for persona in personas
            for k in range(3)
        ]
    )

    # 5. the white paper, its version 1 handed over to the élus and published
    white_paper = WhitePaper.objects.create(
        process=process,
        introduction="Ce livre blanc rassemble les propositions des habitants.",
        conclusion="Les élus s'engagent à répondre à chacune.",
        updated_by=animateur,
    )
    WhitePaperVersion.objects.create(
        white_paper=white_paper,
        number=1,
        html="<h1>Livre blanc du parc naturel urbain</h1><p>Les propositions.</p>",
        note="Version remise aux élus",
        created_by=animateur,
        handed_to_elus_on=today - dt.timedelta(days=25),
        handed_by_label="les habitants du comité de quartier",
        handed_over_recorded_by=animateur,
        published=True,
    )

    # 6. a call for ambassadors: 40 approved applications of agents, drawn
    agents = users[-40:] if len(users) > 41 else users[1:]
    manager = agents[0]
    categories = [Category.A, Category.B, Category.B, Category.C, Category.C]
    AgentProfile.objects.bulk_create(
        [
            AgentProfile(
                user=user,
                organization=org,
                service=services[k % len(services)],
                job_title="Agent du parc",
                category=categories[k % len(categories)],
            )
            for k, user in enumerate(agents)
        ]
    )
    call = AmbassadorCall.objects.create(
        process=process,
        title="Ambassadeurs du parc des berges",
        description="Des agents qui portent la démarche dans leurs services.",
        commitment="3 jours par mois pendant 16 mois",
        opens_on=today - dt.timedelta(days=60),
        closes_on=today - dt.timedelta(days=30),
        seats=12,
        targets={"category": {"A": 30, "B": 30, "C": 40}, "gender": {"F": 50, "M": 50}},
        seed="bench-processes-7f3a",
        key_counter=len(agents),
        created_by=animateur,
    )
    applications = Application.objects.bulk_create(
        [
            Application(
                call=call,
                applicant=user,
                key=f"C-{k + 1:04d}",
                motivation="Je veux faire vivre le parc dans mon service.",
                service=services[k % len(services)],
                service_label=services[k % len(services)].name,
                category=categories[k % len(categories)],
                gender=["F", "M"][k % 2],
                manager=manager if user.pk != manager.pk else animateur,
                manager_decision=Decision.APPROVED,
                decided_at=now - dt.timedelta(days=35),
                decided_by=manager,
                created_at=now - dt.timedelta(days=50, hours=k),
            )
            for k, user in enumerate(agents)
        ]
    )
    result = services_ambassadors.draw_run(call=call, by=animateur)
    return (
        f"{len(decisions):,} decisions ({len(retained):,} retained) and a synthesis, "
        f"{len(actions)} actions ({len(links)} links, {len(milestones)} milestones), "
        f"a charter (v1: {len(first)} signatures, v2: {len(second)}), {len(personas)} personas, "
        f"a white paper, {len(applications)} applications ({len(result.selected)} drawn)"
    )


def measure(args, process) -> int:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from cocon.territory.selectors import current_territory

    territory = current_territory()
    if territory is None or territory.pk != process.territory_id:
        print(
            "! The instance serves another territory first: the page of the bench process "
            "answers 404 there. Use a database of its own (the default SQLite file)."
        )
        return 1
    client = Client()
    url = reverse("processes:detail", args=[process.slug])
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    page = response.content.decode()
    sections = {name: list(markers) for name, markers in SECTIONS.items()}
    # the synthesis link and the action programme
    sections["decisions"] += [
        reverse("processes:synthesis", args=[process.slug]),
        reverse("processes:action_programme", args=[process.slug]),
    ]
    missing = []
    for section, markers in sections.items():
        found = all(marker in page for marker in markers)
        print(f"  - section {section}: {'present' if found else 'MISSING'}")
        if not found:
            missing.append(section)
    if missing:
        print(f"! Sections missing from the page: {', '.join(missing)}; not timed.")
        return 1
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    samples = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    samples.sort()
    p50 = statistics.median(samples)
    p95 = samples[min(len(samples) - 1, round(0.95 * len(samples)) - 1)]
    print(f"- Database: {connection.vendor}")
    print(f"- Page size: {len(response.content) / 1024:.0f} KiB, {len(statements)} SQL statements")
    print(
        f"- processes:detail (anonymous, {args.runs} requests): p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms, max {samples[-1]:.1f} ms (target p95 < {TARGET_MS:.0f} ms)"
    )
    return 0 if p95 < TARGET_MS else 2


def main() -> int:
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--proposals", type=int, default=2000)
    ap.add_argument("--events", type=int, default=20)
    ap.add_argument("--users", type=int, default=300)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    args.runs = max(100, args.runs)
    with tempfile.TemporaryDirectory(prefix="bench-processes-") as tmp:
        args.data_dir = tmp
        print(f"## Public process page — load average {os.getloadavg()}")
        setup(args)
        process = build(args, random.Random(args.seed))
        return measure(args, process)


if __name__ == "__main__":
    sys.exit(main())
