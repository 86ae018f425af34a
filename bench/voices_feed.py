#!/usr/bin/env python3
"""Server time of the Paroles feeds over 1,000,000 voices on PostgreSQL.

A benchmark, not a test. It:

1. (re)creates a dedicated PostgreSQL database with psql (dropped at the end unless
   --keep-db; --reuse-db skips steps 1–3 on a database kept by an earlier run), runs
   `cocon migrate` and `cocon demo load`;
2. tops the demo up to about 40 services in 12 organizations and creates four
   people to measure: the manager (and agent) of the busiest service, an agent of the
   least busy one (a sparse feed: the hard case for deep pages), an élu whose
   delegation lists 5 services, and an élu covering a whole organization;
3. bulk-loads --voices voices (default 1,000,000) with one `INSERT … SELECT
   generate_series` in SQL: created over the last two years, skewed towards a few big
   services (the organization measured holds about 40 % of them), statuses by age
   (old voices mostly closed, recent ones mostly open), 40 % relayed by agents, plus
   5,000 shares with other services and read receipts for the people measured; then
   VACUUM ANALYZE;
4. for each person and each filter (none, status=open, kind=complaint, relayed=yes)
   walks 20 pages of 25 following the cursors, recording the queries of each page
   (they must not grow with the depth), then times --runs calls (default 50) of
   `selectors.feed()` for page 1 and for page 20 — each run with a fresh User object so
   the grants are loaded as in a request — with the status counts (the web page) and
   without them (the API), and --runs full page requests (`GET /espace/paroles/` with
   Django's test client, template included) for page 1;
5. prints p50/p95/max in ms and the queries per page as Markdown tables, and with
   --explain the EXPLAIN (ANALYZE, BUFFERS) of the rows, counts and overdue queries.

Timing is in-process (no HTTP server): what the server spends on the feed. Only local
traffic; every loop is bounded.

    python3 bench/voices_feed.py                        # about 5 minutes
    python3 bench/voices_feed.py --keep-db              # keep cocon_feed for --reuse-db
    python3 bench/voices_feed.py --reuse-db --explain
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import (  # shared helpers of the bench scripts
    add_args,
    checked_cocon,
    django_setup,
    explain,
    print_plans,
    run_in_process,
    sql_array,
    stats,
)
from home_latency import pg_dbname

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocon_feed"
AGGLO = "agglo-val-de-lise"
TARGET_SERVICES = 40
PAGES = 20
FILTERS = {
    "none": {},
    "status=open": {"status": "open"},
    "kind=complaint": {"kind": "complaint"},
    "relayed=yes": {"relayed": "yes"},
}
PEOPLE = {
    "manager": "bench-manager@feed.bench.test",
    "agent-small-service": "bench-agent-small@feed.bench.test",
    "elu-5-services": "bench-elu5@feed.bench.test",
    "elu-organization": "bench-elu-org@feed.bench.test",
}


# --- inside the venv (Django) ---------------------------------------------------------------


def prepare_people() -> dict:
    """Services up to ~40, the three people measured; returns ids for the SQL load."""
    from django.db import transaction
    from django.utils import timezone

    from cocon.accounts.models import AgentProfile, Role, User
    from cocon.territory.models import Commune, Organization, Service
    from cocon.voices.models import Theme

    with transaction.atomic():
        agglo = Organization.objects.get(slug=AGGLO)
        territory = agglo.territory
        orgs = list(Organization.objects.filter(territory=territory).order_by("pk"))
        existing = Service.objects.filter(organization__territory=territory).count()
        for n in range(max(0, TARGET_SERVICES - existing)):
            org = orgs[n % len(orgs)] if n % 3 else agglo
            Service.objects.create(organization=org, name=f"Service {n + 1}", slug=f"bench-{n}")
        services = list(
            Service.objects.filter(organization__territory=territory).order_by(
                "organization_id", "pk"
            )
        )
        # the agglomeration's services first: the SQL load gives the first ones the most
        services.sort(key=lambda s: (s.organization_id != agglo.pk, s.pk))
        busiest, smallest = services[0], services[-1]  # the SQL load skews towards the first
        agglo_services = [s for s in services if s.organization_id == agglo.pk]
        today = timezone.localdate()
        people = {}
        for label, email in PEOPLE.items():
            user, _created = User.objects.get_or_create(
                email=email, defaults={"full_name": label.replace("-", " ").title()}
            )
            people[label] = user.pk
        manager = User.objects.get(pk=people["manager"])
        AgentProfile.objects.get_or_create(
            user=manager,
            defaults={"organization": agglo, "service": busiest, "job_title": "Chef de service"},
        )
        if not manager.roles.exists():
            Role.objects.create(
                user=manager, organization=agglo, kind="manager", starts_on=today
            ).services.add(busiest)
        small = User.objects.get(pk=people["agent-small-service"])
        AgentProfile.objects.get_or_create(
            user=small,
            defaults={
                "organization": smallest.organization,
                "service": smallest,
                "job_title": "Agent",
            },
        )
        elu5 = User.objects.get(pk=people["elu-5-services"])
        if not elu5.roles.exists():
            Role.objects.create(
                user=elu5, organization=agglo, kind="elu", title="Vice-présidente", starts_on=today
            ).services.add(*agglo_services[:5])
        elu_org = User.objects.get(pk=people["elu-organization"])
        if not elu_org.roles.exists():
            Role.objects.create(
                user=elu_org, organization=agglo, kind="elu", title="Président", starts_on=today
            )
        agents = list(
            AgentProfile.objects.filter(organization__territory=territory)
            .exclude(user_id__in=people.values())
            .values_list("user_id", "organization_id")[:60]
        )
        return {
            "territory": territory.pk,
            "services": [s.pk for s in services],
            "service_orgs": [s.organization_id for s in services],
            "agglo": agglo.pk,
            "agglo_services": len(agglo_services),
            "busiest": busiest.pk,
            "themes": list(Theme.objects.filter(territory=territory).values_list("pk", flat=True)),
            "communes": list(
                Commune.objects.filter(territory=territory).values_list("pk", flat=True)
            ),
            "agents": [a for a, _o in agents],
            "agent_orgs": [o for _a, o in agents],
            "people": people,
        }


LOAD_SQL = """
INSERT INTO voices_voice (
    reference, tracking_digest, territory_id, kind, text, channel, capture_mode,
    organization_id, service_id, theme_id, commune_id, address, latitude, longitude,
    event_date, author_id, relay_id, relay_organization_id, status, created_at, updated_at,
    acknowledge_due, answer_due, acknowledged_at, answered_at, closed_at, answer,
    answer_signature, answer_signed_by_id, merged_into_id, escalated_at)
SELECT
    'B' || lpad(g.i::text, 8, '0'),
    md5(g.i::text) || md5((g.i + 1)::text),
    {territory},
    CASE WHEN v.mode = 'observation' THEN 'observation'
         ELSE (ARRAY['testimony','suggestion','alert','complaint','complaint','thanks',
                     'question'])[1 + floor(v.r_kind * 7)::int] END,
    (ARRAY[{texts}])[1 + floor(v.r_text * {n_texts})::int] || ' (n° ' || g.i || ')',
    (ARRAY['web','web','counter','phone','mail','field_walk','maraude','bus','workshop',
           'other'])[1 + floor(v.r_channel * 10)::int],
    v.mode,
    ({service_orgs})[v.s],
    ({services})[v.s],
    CASE WHEN v.r_theme < 0.7 AND {n_themes} > 0
         THEN ({themes})[1 + floor(v.r_theme / 0.7 * {n_themes})::int] END,
    CASE WHEN v.r_commune < 0.6
         THEN ({communes})[1 + floor(v.r_commune / 0.6 * {n_communes})::int] END,
    '', NULL, NULL, NULL, NULL,
    CASE WHEN v.mode <> 'self' THEN ({agents})[v.a] END,
    CASE WHEN v.mode <> 'self' THEN ({agent_orgs})[v.a] END,
    v.status,
    v.created_at, v.created_at,
    v.created_at + interval '2 days', v.created_at + interval '21 days',
    CASE WHEN v.status <> 'received' THEN v.created_at + interval '1 day' END,
    CASE WHEN v.status IN ('answered','closed','not_for_us')
         THEN v.created_at + interval '9 days' END,
    CASE WHEN v.status IN ('closed','not_for_us','merged')
         THEN v.created_at + interval '20 days' END,
    CASE WHEN v.status IN ('answered','closed','not_for_us')
         THEN 'Merci pour votre message. Nous avons transmis votre demande au service.'
         ELSE '' END,
    '', NULL, NULL,
    CASE WHEN v.r_escalated < 0.01 THEN v.created_at + interval '3 days' END
FROM generate_series(1, {count}) AS g(i)
CROSS JOIN LATERAL (
    SELECT
        r.*,
        CASE WHEN r.r_mode < 0.6 THEN 'self'
             WHEN r.r_mode < 0.95 THEN 'relayed' ELSE 'observation' END AS mode,
        -- skewed: the first services (the agglomeration's) get the most voices
        1 + least({n_services} - 1, floor(power(r.r_service, 1.5) * {n_services})::int) AS s,
        1 + floor(r.r_agent * {n_agents})::int AS a,
        now() - r.r_age * interval '730 days' AS created_at,
        CASE WHEN r.r_age * 730 > 30 THEN
                 CASE WHEN r.r_status < 0.80 THEN 'closed'
                      WHEN r.r_status < 0.88 THEN 'answered'
                      WHEN r.r_status < 0.93 THEN 'not_for_us'
                      WHEN r.r_status < 0.95 THEN 'merged'
                      WHEN r.r_status < 0.98 THEN 'in_progress'
                      ELSE 'received' END
             ELSE
                 CASE WHEN r.r_status < 0.30 THEN 'received'
                      WHEN r.r_status < 0.55 THEN 'acknowledged'
                      WHEN r.r_status < 0.75 THEN 'in_progress'
                      WHEN r.r_status < 0.95 THEN 'answered'
                      ELSE 'closed' END
        END AS status
    FROM (SELECT g.i AS seed, random() AS r_kind, random() AS r_text, random() AS r_channel,
                 random() AS r_mode, random() AS r_service, random() AS r_agent,
                 random() AS r_age, random() AS r_status, random() AS r_theme,
                 random() AS r_commune, random() AS r_escalated) AS r
) AS v
"""

TEXTS = [
    "La fuite d'eau devant l'école n'est toujours pas réparée, l'eau coule sur le trottoir.",
    "Les poubelles jaunes n'ont pas été ramassées cette semaine dans notre rue.",
    "Merci à l'agent d'accueil qui a pris le temps de m'expliquer le dossier de la CAF.",
    "Pourquoi faut-il trois rendez-vous pour obtenir une carte de transport solidaire ?",
    "Le bus de 7 h 12 passe en avance et les enfants le ratent tous les matins.",
    "Une dame âgée ne sait pas utiliser le site pour prendre rendez-vous, il faudrait un "
    "accompagnement au guichet.",
    "Proposition : ouvrir la médiathèque le samedi après-midi pour les familles.",
    "Les horaires d'ouverture du service ne conviennent pas aux personnes qui travaillent.",
    "Observation de terrain : dépôts sauvages récurrents derrière le gymnase.",
    "Je n'ai toujours pas de réponse à mon courrier envoyé il y a deux mois.",
]


def load_voices(ids: dict, count: int) -> None:
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction

    from cocon.voices.models import Voice

    texts = ",".join("'" + t.replace("'", "''") + "'" for t in TEXTS)
    sql = LOAD_SQL.format(
        territory=ids["territory"],
        texts=texts,
        n_texts=len(TEXTS),
        services=sql_array(ids["services"]),
        service_orgs=sql_array(ids["service_orgs"]),
        n_services=len(ids["services"]),
        themes=sql_array(ids["themes"] or [0]),
        n_themes=len(ids["themes"]),
        communes=sql_array(ids["communes"]),
        n_communes=len(ids["communes"]),
        agents=sql_array(ids["agents"]),
        agent_orgs=sql_array(ids["agent_orgs"]),
        n_agents=len(ids["agents"]),
        count=count,
    )
    voice_ct = ContentType.objects.get_for_model(Voice).pk
    people = ids["people"]
    with transaction.atomic(), connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute(sql)
        print(
            f"  INSERT … SELECT generate_series: {count} voices  {time.perf_counter() - t0:6.1f} s"
        )
        t0 = time.perf_counter()
        # 5,000 voices shared with another service
        cur.execute(
            f"""
            INSERT INTO voices_voiceshare (voice_id, service_id, shared_by_id, created_at)
            SELECT DISTINCT ON (v.id) v.id,
                   ({sql_array(ids["services"])})[1 + (v.id % {len(ids["services"])})::int],
                   NULL, v.created_at + interval '1 day'
            FROM voices_voice v TABLESAMPLE SYSTEM (1)
            WHERE ({sql_array(ids["services"])})[1 + (v.id % {len(ids["services"])})::int]
                  <> v.service_id
            LIMIT 5000
            """
        )
        # read receipts: the manager opened 30 % of their service's voices, the élus 5 %
        cur.execute(
            f"""
            INSERT INTO core_readreceipt (content_type_id, object_id, user_id, seen_at)
            SELECT {voice_ct}, id, {people["manager"]}, created_at + interval '1 hour'
            FROM voices_voice WHERE service_id = {ids["busiest"]} AND random() < 0.3
            UNION ALL
            SELECT {voice_ct}, id, {people["elu-5-services"]}, created_at + interval '2 hours'
            FROM voices_voice WHERE organization_id = {ids["agglo"]} AND random() < 0.05
            UNION ALL
            SELECT {voice_ct}, id, {people["elu-organization"]}, created_at + interval '2 hours'
            FROM voices_voice WHERE organization_id = {ids["agglo"]} AND random() < 0.05
            """
        )
        print(f"  shares and read receipts                     {time.perf_counter() - t0:6.1f} s")
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE                               {time.perf_counter() - t0:6.1f} s")


def describe_data(ids: dict) -> dict:
    from django.db.models import Count

    from cocon.voices.models import Voice

    total = Voice.objects.count()
    agglo = Voice.objects.filter(organization_id=ids["agglo"]).count()
    busiest = Voice.objects.filter(service_id=ids["busiest"]).count()
    per_org = Voice.objects.values("organization").annotate(n=Count("id")).count()
    per_service = Voice.objects.values("service").annotate(n=Count("id")).count()
    return {
        "voices": total,
        "organizations_with_voices": per_org,
        "services_with_voices": per_service,
        "voices_of_the_organization_measured": agglo,
        "voices_of_the_busiest_service": busiest,
    }


def _fresh(pk):
    from cocon.accounts.models import User

    return User.objects.get(pk=pk)  # new instance: grants loaded again, as in a request


def measure(ids: dict, runs: int, explain: bool) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cocon.voices import selectors

    results: dict = {"feed": [], "walks": [], "pages": [], "explain": {}}
    # warm the process (ContentType cache, first connection) outside the figures
    selectors.feed(_fresh(ids["people"]["manager"]), selectors.FeedFilters())
    for label, pk in ids["people"].items():
        for fname, fdict in FILTERS.items():
            filters = selectors.FeedFilters(**fdict)
            # walk 20 pages: queries per page, cursors
            cursors: list[str | None] = []  # the `after` of each page walked
            per_page_queries = []
            rows = 0
            after = None
            for _page in range(PAGES):
                user = _fresh(pk)
                cursors.append(after)
                with CaptureQueriesContext(connection) as ctx:
                    page = selectors.feed(user, filters, after=after)
                per_page_queries.append(len(ctx.captured_queries))
                rows += len(page.voices)
                after = page.next_cursor
                if after is None:
                    break
            results["walks"].append(
                {
                    "person": label,
                    "filter": fname,
                    "pages": len(per_page_queries),
                    "rows": rows,
                    "queries_per_page": per_page_queries,
                    "total": page.total,
                }
            )
            deep = cursors[-1]  # page 20 (or the last one, if fewer)
            for which, after in (("page 1", None), (f"page {len(cursors)}", deep)):
                for counts in (True, False):
                    samples = []
                    for _ in range(runs):
                        user = _fresh(pk)
                        t0 = time.perf_counter()
                        selectors.feed(user, filters, after=after, with_counts=counts)
                        samples.append((time.perf_counter() - t0) * 1000)
                    results["feed"].append(
                        {
                            "person": label,
                            "filter": fname,
                            "page": which,
                            "counts": counts,
                            **stats(samples),
                            "runs": runs,
                        }
                    )
            if explain and fname == "none":
                results["explain"][label] = explain_feed(pk, filters, deep)
        # the whole page, template included, page 1 without filter
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(_fresh(pk))
        assert client.get("/espace/paroles/").status_code == 200
        samples = []
        with CaptureQueriesContext(connection) as ctx:
            client.get("/espace/paroles/")
        page_queries = len(ctx.captured_queries)
        for _ in range(runs):
            t0 = time.perf_counter()
            response = client.get("/espace/paroles/")
            samples.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        results["pages"].append(
            {
                "person": label,
                **stats(samples),
                "queries": page_queries,
                "runs": runs,
            }
        )
    return results


def explain_feed(pk, filters, after) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the SELECTs of page 1 and of the deep page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cocon.voices import selectors

    out = []
    for name, cursor in (("page 1", None), ("deep page", after)):
        with CaptureQueriesContext(connection) as ctx:
            selectors.feed(_fresh(pk), filters, after=cursor)
        for q in ctx.captured_queries:
            sql = q["sql"]
            if "voices_voice" not in sql:
                continue
            out.append(f"-- {name}: {sql[:120]}…\n{explain(sql)}")
    return out


def inner(args) -> int:
    django_setup()
    if not args.reuse_db:
        ids = prepare_people()
        load_voices(ids, args.voices)
        Path(args.ids_file).write_text(json.dumps(ids))
    ids = json.loads(Path(args.ids_file).read_text())
    data = describe_data(ids)
    print("  data: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in data.items()))
    results = measure(ids, args.runs, args.explain)
    results["data"] = data
    Path(args.results_file).write_text(json.dumps(results))
    return 0


# --- outside (system python) -----------------------------------------------------------------


def report(results: dict, runs: int) -> bool:
    print()
    print(f"## selectors.feed(): server time in ms over {runs} runs (25 voices a page)")
    print()
    print(
        "| Person | Filter | Page | with counts p50 | p95 | max "
        "| without counts (API) p50 | p95 | max |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    by = {}
    for r in results["feed"]:
        by.setdefault((r["person"], r["filter"], r["page"]), {})[r["counts"]] = r
    worst = 0.0
    for (person, fname, page), pair in by.items():
        a, b = pair[True], pair[False]
        worst = max(worst, a["p95"], b["p95"])
        print(
            f"| {person} | {fname} | {page} | {a['p50']:.1f} | {a['p95']:.1f} | {a['max']:.1f} "
            f"| {b['p50']:.1f} | {b['p95']:.1f} | {b['max']:.1f} |"
        )
    print()
    print(f"## Queries per page, walking {PAGES} pages (grants included: fresh user each page)")
    print()
    print("| Person | Filter | Pages | Voices seen | Total (counts) | Queries on each page |")
    print("| --- | --- | --- | --- | --- | --- |")
    constant = True
    for w in results["walks"]:
        q = w["queries_per_page"]
        constant &= len(set(q)) == 1
        shown = f"{q[0]} on all" if len(set(q)) == 1 else ", ".join(map(str, q))
        print(
            f"| {w['person']} | {w['filter']} | {w['pages']} | {w['rows']} | {w['total']} "
            f"| {shown} |"
        )
    print()
    print(f"## GET /espace/paroles/ (whole page, test client), page 1, {runs} runs")
    print()
    print("| Person | p50 (ms) | p95 (ms) | max (ms) | queries |")
    print("| --- | --- | --- | --- | --- |")
    for p in results["pages"]:
        worst_page = p["p95"]
        print(
            f"| {p['person']} | {p['p50']:.1f} | {worst_page:.1f} | {p['max']:.1f} "
            f"| {p['queries']} |"
        )
    print_plans(results.get("explain", {}))
    print()
    print(f"worst p95 of selectors.feed(): {worst:.1f} ms (target < 200 ms)")
    print(f"queries per page constant: {'yes' if constant else 'NO'}")
    return worst < 200 and constant


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_args(ap, DEFAULT_DB, in_process=True)
    ap.add_argument("--voices", type=int, default=1_000_000, help="voices to load (1,000,000)")
    ap.add_argument("--ids-file", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        return inner(args)

    cocon = checked_cocon(args)
    state = Path(tempfile.gettempdir()) / f"cocon-bench-feed-{pg_dbname(args.database_url)}"
    state.mkdir(exist_ok=True)
    ids_file = state / "ids.json"

    def prepare(env, log) -> None:
        if args.reuse_db and not ids_file.exists():
            sys.exit(f"--reuse-db: no {ids_file} from an earlier --keep-db run")

    results = run_in_process(
        __file__,
        args,
        cocon,
        state,
        prepare=prepare,
        extra=["--voices", str(args.voices), "--ids-file", str(ids_file)],
        label_width=45,
    )
    if results is None:
        return 1
    ok = report(results, args.runs)
    print(f"load average before → after: {results['loadavg_before']} → {results['loadavg_after']}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    if not args.keep_db and not args.reuse_db:
        shutil.rmtree(state, ignore_errors=True)
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
