#!/usr/bin/env python3
"""Speed of the Guichet counter and bus dashboards (issue point 5, "Measured":
"dashboards over 1 000 000 appointments p95 < 300 ms") through the selectors the
dashboard page calls.

In a database of its own — a SQLite file in a temporary directory, or the PostgreSQL
database given by --database-url (migrated; the data of the territory "bench-guichet-log"
is created once and kept: a later run with the same URL reuses it, --fresh reloads):

1. generates --appointments appointments (default 1,000,000) with a seeded generator,
   spread over the last 365 days (fewer at weekends) and 30 places of ONE organization
   (10 counters, 20 bus stops: the worst case, every appointment in the dashboard's
   scope), realistic profiles: durations clustered on 5/10/15/20/30/45/60/90 min, age
   band and occupation (about 10 % not given), commune of residence (the place's commune
   or a neighbour, 40 communes with coordinates), 0-2 procedures out of 12 and 0-2
   organizations concerned, an outcome, a note for 5 %; bulk insert: COPY on
   PostgreSQL, multi-row INSERTs on SQLite;
2. rebuilds the daily and monthly facets with `services_log.counts_rebuild` (timed);
3. runs --filters dashboard requests (default 60, each --repeat times, default 3): periods
   of a year, a quarter, a month, 90/30/7 days, a single week, at random offsets; all
   places, all counters, all bus stops, or one place. Each request does what the page
   does: `selectors_log.dashboard(...)` (facet GROUP BYs, labels, questions_stats) and
   the first page of notes (`selectors_log.notes` + `CappedPaginator`, 50 rows).
   Then, for the same filters, the page as a user gets it: a GET of
   `guichet:log_dashboard` with the filter form's query string (organization, start,
   end, place) through `django.test.Client`, logged in (`force_login`) as an agent of
   the organization (view + template, status 200, a `<table` in the page; --repeat
   times), and the CSV export `guichet:log_export` (once per filter, 200, text/csv).
   Prints p50 / p95 / max in ms for the dashboard alone, the whole page's reads, the
   page (view + template) and the CSV export;
4. times --writes `appointment_log` calls (default 200: validation, insert, links and
   the two facet upserts) on top of the data, then their `appointment_delete`.

    python3 bench/guichet_dashboard.py                                  # SQLite
    python3 bench/guichet_dashboard.py --database-url postgres://postgres@127.0.0.1:5432/cocon_log_bench

It re-runs itself with the checkout's venv (.venv/bin/python). Other processes on the
machine skew the figures (the load average is printed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"
SLUG = "bench-guichet-log"
DURATIONS = [5, 10, 15, 20, 30, 45, 60, 90]
DURATION_WEIGHTS = [8, 20, 25, 15, 15, 7, 6, 2]
AGES = ["", "15-29", "30-44", "45-59", "60-74", "75+"]
AGE_WEIGHTS = [10, 18, 20, 20, 20, 12]
OCCUPATIONS = [
    "", "farmer", "self_employed", "executive", "intermediate", "employee", "worker",
    "retired", "student", "jobseeker", "other",
]  # fmt: skip
OCCUPATION_WEIGHTS = [10, 3, 4, 3, 6, 14, 9, 25, 6, 12, 8]
OUTCOMES = ["solved", "referred", "question", "follow_up"]
OUTCOME_WEIGHTS = [55, 20, 12, 13]
PROCEDURES = [
    "Dossier RSA", "Carte grise", "Carte de transport", "Colis de Noël des aînés",
    "Allocation logement", "Déclaration de revenus", "Carte vitale", "Retraite",
    "Chèque énergie", "Inscription France Travail", "Passeport", "Compte ameli",
]  # fmt: skip
NOTES = [
    "Aide pour créer un compte en ligne, la personne n'a pas d'adresse électronique.",
    "Dossier incomplet : il manque l'avis d'imposition, revenir mardi.",
    "Demande de colis de Noël, inscription faite sur la liste du CCAS.",
    "Carte grise : changement d'adresse fait sur le site de l'ANTS.",
    "Question sur le cumul RSA et prime d'activité, envoyée au référent.",
    "Orientation vers la permanence de la CAF le jeudi.",
]


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

    # as bench/ideas_pages.py: the test client's host ("testserver") accepted, static files
    # without the manifest (no collectstatic), no request log line per page
    logging.getLogger("cocon.requests").setLevel(logging.WARNING)
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    override_settings(STORAGES=storages, ALLOWED_HOSTS=["*"]).enable()
    call_command("migrate", verbosity=0)


def reference(rnd: random.Random):
    """The territory, the organization, 40 communes, 30 places, procedures, partners."""
    from cocon.guichet.models import Place, Procedure
    from cocon.territory.models import Commune, Organization, OrganizationKind, Territory

    territory, _ = Territory.objects.get_or_create(slug=SLUG, defaults={"name": "Bench log"})
    org, _ = Organization.objects.get_or_create(
        territory=territory,
        slug="bench-log-fs",
        defaults={"name": "France services du bench", "kind": OrganizationKind.EPCI},
    )
    partners = [
        Organization.objects.get_or_create(
            territory=territory,
            slug=f"bench-log-partner-{i}",
            defaults={"name": f"Partenaire {i}", "kind": OrganizationKind.EPCI},
        )[0]
        for i in range(8)
    ]
    communes = []
    for i in range(40):
        commune, _ = Commune.objects.get_or_create(
            territory=territory,
            insee_code=f"9{i:04d}",
            defaults={
                "name": f"Commune {i}",
                "postal_code": f"9{i:04d}",
                "population": rnd.randint(200, 20000),
                "latitude": 48.2 + rnd.random() * 0.6,
                "longitude": -3.4 + rnd.random() * 1.0,
            },
        )
        communes.append(commune)
    places = list(Place.objects.filter(organization=org).order_by("pk"))
    if not places:
        for i in range(30):
            kind = Place.Kind.COUNTER if i < 10 else Place.Kind.BUS_STOP
            places.append(
                Place.objects.create(
                    organization=org,
                    kind=kind,
                    name=f"{'Guichet' if i < 10 else 'Arrêt'} {i}",
                    commune=communes[i],
                )
            )
    procedures = [
        Procedure.objects.get_or_create(
            territory=territory, slug=f"bench-proc-{i}", defaults={"name": name}
        )[0]
        for i, name in enumerate(PROCEDURES)
    ]
    return org, partners, communes, places, procedures


def generate(n, rnd, org, partners, communes, places, procedures, first_id):
    """Rows of the appointments and of the two link tables (tuples, in column order)."""
    today = dt.date.today()
    days = [today - dt.timedelta(days=d) for d in range(365)]
    day_weights = [1 if d.weekday() >= 5 else 6 for d in days]
    now = dt.datetime.now(dt.UTC)
    neighbours = {
        p.pk: [p.commune_id] * 6 + [rnd.choice(communes).pk for _ in range(4)] for p in places
    }
    place_ids = [p.pk for p in places]
    place_weights = [3 if p.kind == "counter" else 1 for p in places]
    proc_ids = [p.pk for p in procedures]
    proc_weights = [12, 9, 7, 4, 8, 6, 5, 4, 3, 5, 3, 6]
    partner_ids = [p.pk for p in partners]
    k = n
    c_days = rnd.choices(days, day_weights, k=k)
    c_places = rnd.choices(place_ids, place_weights, k=k)
    c_dur = rnd.choices(DURATIONS, DURATION_WEIGHTS, k=k)
    c_age = rnd.choices(AGES, AGE_WEIGHTS, k=k)
    c_occ = rnd.choices(OCCUPATIONS, OCCUPATION_WEIGHTS, k=k)
    c_out = rnd.choices(OUTCOMES, OUTCOME_WEIGHTS, k=k)
    appointments, procs, orgs = [], [], []
    for i in range(n):
        pk = first_id + i
        place = c_places[i]
        duration = c_dur[i] if rnd.random() > 0.1 else rnd.randint(1, 180)
        residence = rnd.choice(neighbours[place]) if rnd.random() > 0.08 else None
        note = rnd.choice(NOTES) if rnd.random() < 0.05 else ""
        appointments.append(
            (pk, org.pk, None, place, c_days[i], duration, c_age[i], c_occ[i], residence,
             c_out[i], note, now)
        )  # fmt: skip
        r = rnd.random()
        if r < 0.85:
            chosen = {rnd.choices(proc_ids, proc_weights)[0]}
            if r < 0.3:
                chosen.add(rnd.choices(proc_ids, proc_weights)[0])
            procs.extend((pk, p) for p in chosen)
        r = rnd.random()
        if r < 0.7:
            chosen = {rnd.choice(partner_ids)}
            if r < 0.1:
                chosen.add(rnd.choice(partner_ids))
            orgs.extend((pk, o) for o in chosen)
    return appointments, procs, orgs


APPOINTMENT_COLUMNS = [
    "id", "organization_id", "agent_id", "place_id", "date", "duration", "age_band",
    "occupation", "residence_id", "outcome", "note", "created_at",
]  # fmt: skip


def bulk_insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = cursor.cursor
            sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.copy(sql) as copy:
                for row in rows:
                    copy.write_row(row)
        return
    chunk = max(1, 900 // len(columns))
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * len(part))}",
                [v for row in part for v in row],
            )


def load(args, rnd):
    from django.db import connection, transaction

    from cocon.guichet import services_log
    from cocon.guichet.models import Appointment

    org, partners, communes, places, procedures = reference(rnd)
    have = Appointment.objects.filter(organization=org).count()
    if have >= args.appointments and not args.fresh:
        print(f"- Reusing {have:,} appointments already loaded")
        return org, places
    Appointment.objects.filter(organization=org)._raw_delete("default")
    first = (Appointment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    t0 = time.perf_counter()
    rows, procs, orgs = generate(
        args.appointments, rnd, org, partners, communes, places, procedures, first
    )
    t1 = time.perf_counter()
    with transaction.atomic():
        bulk_insert(Appointment._meta.db_table, APPOINTMENT_COLUMNS, rows)
        bulk_insert(
            Appointment.procedures.through._meta.db_table, ["appointment_id", "procedure_id"], procs
        )
        bulk_insert(
            Appointment.organizations.through._meta.db_table,
            ["appointment_id", "organization_id"],
            orgs,
        )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in (
                    Appointment,
                    Appointment.procedures.through,
                    Appointment.organizations.through,
                ):
                    table = model._meta.db_table
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
    t2 = time.perf_counter()
    print(
        f"- Generated {len(rows):,} appointments, {len(procs):,} procedure links, "
        f"{len(orgs):,} organization links in {t1 - t0:.1f} s; inserted in {t2 - t1:.1f} s"
    )
    n = services_log.counts_rebuild(organization_ids=[org.pk])
    t3 = time.perf_counter()
    print(f"- counts_rebuild: {n:,} appointments counted in {t3 - t2:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return org, places


def filters(args, rnd, places):
    today = dt.date.today()
    spans = [365, 91, 30, 90, 30, 7, 7]
    out = []
    for i in range(args.filters):
        span = spans[i % len(spans)]
        end = today - dt.timedelta(days=0 if span >= 300 else rnd.randint(0, 365 - span))
        start = end - dt.timedelta(days=span - 1)
        which = i % 4
        if which == 0:
            place_ids, label, value = None, "all places", ""
        elif which == 1:
            place_ids, label = [p.pk for p in places if p.kind == "counter"], "counters"
            value = "kind:counter"
        elif which == 2:
            place_ids, label = [p.pk for p in places if p.kind == "bus_stop"], "bus stops"
            value = "kind:bus_stop"
        else:
            place = rnd.choice(places)
            place_ids, label, value = [place.pk], "one place", str(place.pk)
        out.append((start, end, place_ids, f"{span} d, {label}", value))
    return out


def bench_agent(org):
    """The benchmark's agent of `org` (created once, reused on later runs)."""
    from cocon.accounts.models import AgentProfile, User

    agent, _ = User.objects.get_or_create(
        email="bench-log-agent@example.org", defaults={"full_name": "Agent du bench"}
    )
    AgentProfile.objects.get_or_create(
        user=agent, defaults={"organization": org, "job_title": "Agent", "category": "B"}
    )
    return agent


def page_query(org, start, end, value) -> str:
    """The query string of the dashboard's filter form (`DashboardFilterForm`)."""
    from django.utils.http import urlencode

    return urlencode(
        {
            "organization": org.pk,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "place": value,
        }
    )


def get_page(client, url, *, csv=False) -> float:
    """One GET, checked; its time in ms."""
    t0 = time.perf_counter()
    response = client.get(url)
    body = response.content
    ms = (time.perf_counter() - t0) * 1000
    if response.status_code != 200:
        sys.exit(f"GET {url}: status {response.status_code}")
    if csv:
        if not response["Content-Type"].startswith("text/csv"):
            sys.exit(f"GET {url}: Content-Type {response['Content-Type']}")
    elif b"<table" not in body:
        sys.exit(f"GET {url}: no <table in the page")
    return ms


def measure(args, org, places, rnd):
    from django.db import connection, reset_queries
    from django.test import Client
    from django.urls import reverse

    from cocon.core.paging import CappedPaginator
    from cocon.guichet import selectors_log

    cases = filters(args, rnd, places)
    # warm-up (caches of the database and of Python)
    for start, end, place_ids, _label, _value in cases[:5]:
        selectors_log.dashboard(org, start=start, end=end, place_ids=place_ids)
    dash, page, worst = [], [], []
    for _ in range(args.repeat):
        for start, end, place_ids, label, _value in cases:
            reset_queries()
            t0 = time.perf_counter()
            data = selectors_log.dashboard(org, start=start, end=end, place_ids=place_ids)
            t1 = time.perf_counter()
            notes = selectors_log.notes(org, start=start, end=end, place_ids=place_ids)
            paged = CappedPaginator(notes, 50, cap=1000).get_page(1)
            list(paged)
            t2 = time.perf_counter()
            dash.append((t1 - t0) * 1000)
            page.append((t2 - t0) * 1000)
            worst.append(((t1 - t0) * 1000, label, data["total"]))

    # the page as a user gets it: view + template (and the CSV export), test client
    client = Client()
    client.force_login(bench_agent(org))
    page_url, export_url = reverse("guichet:log_dashboard"), reverse("guichet:log_export")
    for start, end, _place_ids, _label, value in cases[:3]:  # warm-up (templates)
        get_page(client, f"{page_url}?{page_query(org, start, end, value)}")
    served, exported, worst_served = [], [], []
    for _ in range(args.repeat):
        for start, end, _place_ids, label, value in cases:
            ms = get_page(client, f"{page_url}?{page_query(org, start, end, value)}")
            served.append(ms)
            worst_served.append((ms, label))
    for start, end, _place_ids, _label, value in cases:
        exported.append(
            get_page(client, f"{export_url}?{page_query(org, start, end, value)}", csv=True)
        )
    connection.close()

    def pct(samples, p):
        s = sorted(samples)
        return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]

    print(f"- Requests: {len(cases)} filters × {args.repeat} = {len(dash)}")
    print()
    print("| reads | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    for name, samples in (
        ("dashboard selector", dash),
        ("dashboard + notes page", page),
        ("page (view + template)", served),
        ("CSV export", exported),
    ):
        print(
            f"| {name} | {statistics.median(samples):.1f} | {pct(samples, 95):.1f} "
            f"| {max(samples):.1f} |"
        )
    print()
    print("Slowest dashboard requests:")
    for ms, label, total in sorted(worst, reverse=True)[:5]:
        print(f"- {ms:.1f} ms — {label} ({total:,} appointments)")
    print("Slowest pages (view + template):")
    for ms, label in sorted(worst_served, reverse=True)[:5]:
        print(f"- {ms:.1f} ms — {label}")
    p95 = pct(page, 95)
    served_p95 = pct(served, 95)
    print(f"- Load average after: {os.getloadavg()}")
    print(f"- Target p95 < 300 ms (whole page's reads): {'met' if p95 < 300 else 'NOT met'}")
    print(
        f"- Target p95 < 300 ms (page as served, view + template): "
        f"{'met' if served_p95 < 300 else 'NOT met'}"
    )


def measure_writes(args, org, places, rnd):
    """`appointment_log` (validation, insert, links, the three upserts) — what the log
    form's POST costs — on top of the loaded data; the appointments are then deleted
    with `appointment_delete` (timed too)."""
    from django.utils import timezone

    from cocon.guichet import services_log
    from cocon.guichet.models import Procedure

    agent = bench_agent(org)
    procedures = list(Procedure.objects.filter(territory_id=org.territory_id))
    today = timezone.localdate()
    logged, writes, deletes = [], [], []
    for _ in range(args.writes):
        t0 = time.perf_counter()
        logged.append(
            services_log.appointment_log(
                agent=agent,
                place=rnd.choice(places),
                date=today - dt.timedelta(days=rnd.randint(0, 60)),
                duration=rnd.choice(DURATIONS),
                age_band=rnd.choice(AGES),
                occupation=rnd.choice(OCCUPATIONS),
                procedures=rnd.sample(procedures, 2),
                outcome=rnd.choice(OUTCOMES),
                note=rnd.choice(NOTES),
            )
        )
        writes.append((time.perf_counter() - t0) * 1000)
    for appointment in logged:
        t0 = time.perf_counter()
        services_log.appointment_delete(appointment, by=agent)
        deletes.append((time.perf_counter() - t0) * 1000)
    for name, samples in (("appointment_log", writes), ("appointment_delete", deletes)):
        s = sorted(samples)
        print(
            f"| {name} | {statistics.median(s):.1f} | {s[round(0.95 * (len(s) - 1))]:.1f} "
            f"| {s[-1]:.1f} |"
        )


def main() -> None:
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--appointments", type=int, default=1_000_000)
    ap.add_argument("--filters", type=int, default=60)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--writes", type=int, default=200, help="appointments logged (timed)")
    ap.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    ap.add_argument("--data-dir", default="", help="directory of the SQLite file (temporary)")
    ap.add_argument("--fresh", action="store_true", help="reload even if data is there")
    args = ap.parse_args()
    tmp = None
    if not args.data_dir:
        tmp = tempfile.TemporaryDirectory(prefix="cocon-bench-log-")
        args.data_dir = tmp.name
    print("## Guichet counter and bus dashboards")
    print(
        f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(f"- Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, load average {os.getloadavg()}")
    setup(args)
    from django.db import connection

    version = (
        connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else connection.pg_version
    )
    print(f"- Database: {connection.vendor} {version}")
    rnd = random.Random(args.seed)
    org, places = load(args, rnd)
    from cocon.guichet.models.log import AppointmentFacet, AppointmentMonthFacet

    print(
        f"- Facet rows: {AppointmentFacet.objects.filter(organization=org).count():,} daily "
        f"and {AppointmentMonthFacet.objects.filter(organization=org).count():,} monthly"
    )
    measure(args, org, places, rnd)
    if args.writes:
        print()
        print("| writes | p50 ms | p95 ms | max ms |")
        print("|---|---:|---:|---:|")
        measure_writes(args, org, places, rnd)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
