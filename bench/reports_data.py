#!/usr/bin/env python3
"""500,000 Signalements in a dedicated PostgreSQL database, for bench/reports_read.py and
bench/reports_capture.py (a shared module; run alone, it fills and keeps the database).

What it writes, in SQL (`INSERT … SELECT` over `generate_series`, about a minute for
500,000 on 2 cores), on top of `cocon demo load` (whose categories, coverage, teams and
Open311 client it reuses):

- one voice of kind "report" per report (`voices_voice`): the service and organization
  are those `cocon.reports.services.route` gives for the category at the commune
  (computed in Python for every category × commune, then looked up in SQL), the
  theme is the category's, the exact point is up to 1.5 km from the commune's centre
  (5 % with the commune only), `created_at` over the last two years, statuses by age
  (recent reports mostly open, old ones mostly fixed or closed: about 10 % open in
  all), the answer, signature and dates that `voice_set_status` would have set;
- the report row (`reports_report`) with the public point (`services.public_point`:
  rounded to 100 m for sensitive categories, the commune's centre when only the commune
  is known), the copies of the voice's status, notes and dates, 20 % sent through the
  demo's Open311 client application;
- the history (`core_statusevent`): "received", then the status change with its public
  text (a report may go from received straight to any state, see
  `voices.REPORT_TRANSITIONS`, so one change is a valid history);

then VACUUM ANALYZE. Random draws are seeded (`setseed`): the same rows every run, but
for `now()`.

    python3 bench/reports_data.py                      # fills cocon_bench_reports, keeps it
    python3 bench/reports_data.py --reports 100000 --database-url postgres://…/other
"""

from __future__ import annotations

import argparse
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import bench_env, create_database, django_setup, sql_array  # shared helpers
from home_latency import REPO, is_postgres, pg_dbname

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/cocon_bench_reports"
DEFAULT_REPORTS = 500_000
TERRITORY = "val-de-lise"
M_PER_DEG_LAT = math.pi * 6_371_008.8 / 180
LOOKUP = 1000  # weighted draws in SQL: an array of LOOKUP indexes, drawn uniformly


# --- inside Django -----------------------------------------------------------------------------


def _lookup(weights: list[float]) -> list[int]:
    """LOOKUP 1-based indexes, each repeated in proportion to its weight."""
    total = sum(weights)
    out: list[int] = []
    acc = 0.0
    for i, w in enumerate(weights, start=1):
        acc += w
        while len(out) < round(acc / total * LOOKUP):
            out.append(i)
    return out[:LOOKUP]


def prepare_ids() -> dict:
    """Ids and the routing table of the demo territory, for the SQL load."""
    from django.contrib.contenttypes.models import ContentType

    from cocon.demo.reports_loader import CATEGORIES
    from cocon.reports.models import Category, Open311Client
    from cocon.reports.services import route
    from cocon.territory.models import Territory
    from cocon.voices.models import Voice

    territory = Territory.objects.get(slug=TERRITORY)
    specs = {s.code: s for s in CATEGORIES}
    categories = list(Category.objects.filter(territory=territory).order_by("position"))
    communes = list(territory.communes.order_by("insee_code"))
    services, orgs, names = [], [], []
    for category in categories:  # row-major: (k - 1) * n_communes + c
        for commune in communes:
            coverage = route(category, commune)
            if coverage is None:
                raise RuntimeError(f"nobody handles {category.code} in {commune.name}")
            services.append(coverage.service_id)
            orgs.append(coverage.organization_id)
            names.append(coverage.service.name)
    # the inactive category keeps a few old reports, as in the demo
    weights = [specs[c.code].weight if c.is_active else 0.05 for c in categories]
    texts = []
    for category in categories:
        spec = specs[category.code]
        for n in range(3):
            texts.append(
                spec.texts[n % len(spec.texts)].format(
                    rue="rue de la République",
                    numero=12,
                    parc="parc de la Lise",
                    ecole="l'école Jules-Ferry",
                    commune="",
                )
            )
    return {
        "territory": territory.pk,
        "ctype": ContentType.objects.get_for_model(Voice).pk,
        "client": Open311Client.objects.filter(territory=territory).values_list("pk", flat=True)[0],
        "categories": [c.pk for c in categories],
        "codes": [c.code for c in categories],
        "themes": [c.theme_id or 0 for c in categories],
        "sensitive": [c.sensitive for c in categories],
        "fixed": [specs[c.code].fixed[0] for c in categories],
        "category_lookup": _lookup(weights),
        "communes": [c.pk for c in communes],
        "lat": [c.latitude for c in communes],
        "lon": [c.longitude for c in communes],
        "commune_lookup": _lookup([c.population for c in communes]),
        "services": services,
        "orgs": orgs,
        "service_names": names,
        "texts": texts,
    }


SOURCE_SQL = """
CREATE TEMP TABLE bench_src ON COMMIT DROP AS
SELECT s.*,
       CASE WHEN s.r_prec < 0.05 THEN NULL
            ELSE ({lat})[s.c] + {radius} * sqrt(s.r_rad) * cos(2 * pi() * s.r_ang) / {mlat}
       END AS lat,
       CASE WHEN s.r_prec < 0.05 THEN NULL
            ELSE ({lon})[s.c] + {radius} * sqrt(s.r_rad) * sin(2 * pi() * s.r_ang)
                 / ({mlat} * cos(radians(({lat})[s.c])))
       END AS lon,
       now() - s.r_age * interval '730 days' AS created_at,
       CASE WHEN s.r_age * 730 < 30 THEN
                CASE WHEN s.r_status < 0.25 THEN 'received'
                     WHEN s.r_status < 0.40 THEN 'acknowledged'
                     WHEN s.r_status < 0.50 THEN 'in_progress'
                     WHEN s.r_status < 0.60 THEN 'scheduled'
                     WHEN s.r_status < 0.85 THEN 'fixed'
                     WHEN s.r_status < 0.95 THEN 'closed'
                     ELSE 'not_for_us' END
            ELSE
                CASE WHEN s.r_status < 0.03 THEN 'received'
                     WHEN s.r_status < 0.05 THEN 'acknowledged'
                     WHEN s.r_status < 0.065 THEN 'in_progress'
                     WHEN s.r_status < 0.08 THEN 'scheduled'
                     WHEN s.r_status < 0.55 THEN 'fixed'
                     WHEN s.r_status < 0.93 THEN 'closed'
                     ELSE 'not_for_us' END
       END AS status,
       CASE WHEN s.r_channel < 0.55 THEN 'web' WHEN s.r_channel < 0.75 THEN 'app'
            WHEN s.r_channel < 0.85 THEN 'phone' ELSE 'field_walk' END AS channel,
       (s.k - 1) * {n_communes} + s.c AS route
FROM (
    SELECT g.i,
           ({commune_lookup})[1 + floor(random() * {lookup})::int] AS c,
           ({category_lookup})[1 + floor(random() * {lookup})::int] AS k,
           random() AS r_age, random() AS r_status, random() AS r_prec, random() AS r_rad,
           random() AS r_ang, random() AS r_channel, random() AS r_text, random() AS r_delay
    FROM generate_series({first}, {last}) AS g(i)
) AS s;

CREATE TEMP TABLE bench_rows ON COMMIT DROP AS
SELECT s.*,
       'R' || lpad(s.i::text, 8, '0') AS reference,
       ({categories})[s.k] AS category_id,
       nullif(({themes})[s.k], 0) AS theme_id,
       ({communes})[s.c] AS commune_id,
       ({services})[s.route] AS service_id,
       ({orgs})[s.route] AS organization_id,
       ({service_names})[s.route] AS service_name,
       CASE WHEN s.channel = 'field_walk' OR s.channel = 'phone' THEN 'observation'
            ELSE 'self' END AS capture_mode,
       least(now(), s.created_at + (0.2 + 8 * s.r_delay) * interval '1 day') AS changed_at,
       CASE s.status
            WHEN 'received' THEN ''
            WHEN 'acknowledged' THEN 'Signalement pris en compte. Merci de votre vigilance.'
            WHEN 'in_progress' THEN 'Une équipe est sur place ou le sera très prochainement.'
            WHEN 'scheduled' THEN 'Intervention programmée la semaine prochaine.'
            WHEN 'fixed' THEN ({fixed})[s.k]
            WHEN 'closed' THEN 'Intervention terminée : le signalement est clos.'
            ELSE 'Ce point relève d''un autre gestionnaire : nous lui avons transmis.'
       END AS notes,
       CASE WHEN s.lat IS NULL THEN ({lat})[s.c]
            WHEN ({sensitive})[s.k] THEN round(((floor(s.lat / {dlat}) + 0.5) * {dlat})::numeric, 6)
            ELSE round(s.lat::numeric, 6) END::float8 AS pub_lat,
       CASE WHEN s.lat IS NULL THEN ({lon})[s.c]
            WHEN ({sensitive})[s.k] THEN round(((floor(s.lon / ({step} / ({mlat} * cos(radians(
                 (floor(s.lat / {dlat}) + 0.5) * {dlat}))))) + 0.5)
                 * ({step} / ({mlat} * cos(radians((floor(s.lat / {dlat}) + 0.5) * {dlat})))))
                 ::numeric, 6)
            ELSE round(s.lon::numeric, 6) END::float8 AS pub_lon
FROM bench_src s;

INSERT INTO voices_voice (
    reference, tracking_digest, territory_id, kind, text, channel, capture_mode,
    organization_id, service_id, theme_id, commune_id, address, latitude, longitude,
    event_date, author_id, relay_id, relay_organization_id, status, created_at, updated_at,
    acknowledge_due, answer_due, acknowledged_at, answered_at, closed_at, answer,
    answer_signature, answer_signed_by_id, merged_into_id, escalated_at)
SELECT
    r.reference, md5(r.reference) || md5(r.reference || 'x'), {territory}, 'report',
    ({texts})[(r.k - 1) * 3 + 1 + floor(r.r_text * 3)::int] || ' (n° ' || r.i || ')',
    r.channel, r.capture_mode, r.organization_id, r.service_id, r.theme_id, r.commune_id,
    CASE WHEN r.lat IS NULL THEN '' ELSE (r.i % 120 + 1) || ' rue de la République' END,
    round(r.lat::numeric, 6)::float8, round(r.lon::numeric, 6)::float8,
    NULL, NULL, NULL, NULL, r.status, r.created_at, r.changed_at,
    r.created_at + interval '2 days', r.created_at + interval '21 days',
    CASE WHEN r.status <> 'received' THEN r.changed_at END,
    CASE WHEN r.status IN ('fixed', 'not_for_us') THEN r.changed_at END,
    CASE WHEN r.status IN ('closed', 'not_for_us') THEN r.changed_at END,
    CASE WHEN r.status IN ('fixed', 'not_for_us') THEN r.notes ELSE '' END,
    CASE WHEN r.status IN ('fixed', 'not_for_us') THEN r.service_name ELSE '' END,
    NULL, NULL, NULL
FROM bench_rows r;

INSERT INTO reports_report (
    voice_id, territory_id, category_id, latitude, longitude, precision, team_id,
    attributes, support_count, client_id, token, media_url, status, is_open, status_notes,
    created_at, updated_at)
SELECT
    v.id, {territory}, r.category_id, r.pub_lat, r.pub_lon,
    CASE WHEN r.lat IS NULL THEN 'commune' ELSE 'point' END, NULL,
    CASE WHEN ({codes})[r.k] = 'fuite-eau' THEN '{{"emplacement": "chaussee"}}'::jsonb
         ELSE '{{}}'::jsonb END,
    0, CASE WHEN r.channel = 'app' THEN {client} END, md5('bench-report-' || r.i), '',
    r.status, r.status IN ('received', 'acknowledged', 'in_progress', 'scheduled'), r.notes,
    r.created_at, r.changed_at
FROM bench_rows r JOIN voices_voice v ON v.reference = r.reference;

INSERT INTO core_statusevent (
    content_type_id, object_id, action, from_status, to_status, actor_id, actor_label,
    public_text, internal_text, data, created_at)
SELECT {ctype}, v.id, 'received', '', 'received', NULL::bigint, '', '', '',
       jsonb_build_object('channel', r.channel, 'capture_mode', r.capture_mode), r.created_at
FROM bench_rows r JOIN voices_voice v ON v.reference = r.reference
UNION ALL
SELECT {ctype}, v.id, 'status', 'received', r.status, NULL::bigint,
       left(r.service_name, 200), r.notes, '', '{{}}'::jsonb, r.changed_at
FROM bench_rows r JOIN voices_voice v ON v.reference = r.reference
WHERE r.status <> 'received';
"""


def load_reports(ids: dict, count: int, *, batch: int = 100_000) -> float:
    """Insert `count` reports (voices, reports, history) in batches; returns seconds."""
    from django.db import connection, transaction

    step = 100.0  # services.SENSITIVE_STEP_M
    t_all = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("SELECT setseed(0.2019)")
    first = 1
    while first <= count:
        last = min(count, first + batch - 1)
        sql = SOURCE_SQL.format(
            first=first,
            last=last,
            territory=ids["territory"],
            ctype=ids["ctype"],
            client=ids["client"],
            lookup=LOOKUP,
            commune_lookup=sql_array(ids["commune_lookup"]),
            category_lookup=sql_array(ids["category_lookup"]),
            categories=sql_array(ids["categories"]),
            codes=sql_array(ids["codes"], "text"),
            themes=sql_array(ids["themes"]),
            sensitive=sql_array(ids["sensitive"], "boolean"),
            fixed=sql_array(ids["fixed"], "text"),
            communes=sql_array(ids["communes"]),
            lat=sql_array(ids["lat"], "float8"),
            lon=sql_array(ids["lon"], "float8"),
            n_communes=len(ids["communes"]),
            services=sql_array(ids["services"]),
            orgs=sql_array(ids["orgs"]),
            service_names=sql_array(ids["service_names"], "text"),
            texts=sql_array(ids["texts"], "text"),
            radius=1500.0,
            mlat=repr(M_PER_DEG_LAT),
            step=step,
            dlat=repr(step / M_PER_DEG_LAT),
        )
        t0 = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
        print(
            f"  reports {first:>7}–{last:<7} (voices, reports, history)  "
            f"{time.perf_counter() - t0:6.1f} s",
            flush=True,
        )
        first = last + 1
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(
        f"  VACUUM ANALYZE                                       {time.perf_counter() - t0:6.1f} s"
    )
    return time.perf_counter() - t_all


def describe() -> dict:
    from django.db.models import Count

    from cocon.reports.models import Report

    qs = Report.objects.all()
    total = qs.count()
    return {
        "reports": total,
        "open": qs.filter(is_open=True).count(),
        "commune_only": qs.filter(precision="commune").count(),
        "sensitive": qs.filter(category__sensitive=True).count(),
        "via_open311": qs.filter(client__isnull=False).count(),
        "communes": qs.values("voice__commune").annotate(n=Count("pk")).count(),
        "oldest": str(qs.order_by("created_at").values_list("created_at", flat=True).first()),
    }


def check_consistency() -> list[str]:
    """Copies of the voice on the report, and the history, agree (a few SQL counts)."""
    from django.db import connection

    problems = []
    checks = {
        "status copies differ": "SELECT count(*) FROM reports_report r JOIN voices_voice v "
        "ON v.id = r.voice_id WHERE v.status <> r.status OR v.created_at <> r.created_at",
        "reports without a 'received' event": "SELECT count(*) FROM reports_report r WHERE NOT "
        "EXISTS (SELECT 1 FROM core_statusevent e WHERE e.object_id = r.voice_id "
        "AND e.action = 'received')",
        "voices of kind report without a report": "SELECT count(*) FROM voices_voice v WHERE "
        "v.kind = 'report' AND NOT EXISTS (SELECT 1 FROM reports_report r "
        "WHERE r.voice_id = v.id)",
    }
    with connection.cursor() as cur:
        for label, sql in checks.items():
            cur.execute(sql)
            n = cur.fetchone()[0]
            if n:
                problems.append(f"{label}: {n}")
    return problems


def inner_load(count: int) -> dict:
    """Inside the venv: prepare and load, then describe. Returns the description."""
    ids = prepare_ids()
    seconds = load_reports(ids, count)
    data = describe()
    data["load_seconds"] = round(seconds, 1)
    problems = check_consistency()
    if problems:
        raise RuntimeError("inconsistent bench data: " + "; ".join(problems))
    print("  data: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in data.items()))
    return data


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--database-url", default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    ap.add_argument("--reports", type=int, default=DEFAULT_REPORTS, help="default 500,000")
    ap.add_argument(
        "--cocon",
        default=str(REPO / ".venv" / "bin" / "cocon"),
        help="cocon executable of the venv to run (default: this checkout's .venv)",
    )
    ap.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inner:
        django_setup()
        inner_load(args.reports)
        return 0
    if not is_postgres(args.database_url):
        sys.exit("this needs PostgreSQL (--database-url postgres://…)")
    if not shutil.which("psql"):
        sys.exit("psql not found")
    cocon = Path(args.cocon).absolute()
    data_dir = Path(tempfile.mkdtemp(prefix="cocon-bench-reports-"))
    env = bench_env(args.database_url, data_dir)
    with open(data_dir / "setup.log", "w") as log:
        create_database(args.database_url, cocon, env, log)
    cmd = [str(cocon.parent / "python"), str(Path(__file__).resolve()), "--inner"]
    subprocess.run([*cmd, "--reports", str(args.reports)], env=env, cwd=data_dir, check=True)
    print(f"kept {pg_dbname(args.database_url)} (drop it with dropdb when done)")
    shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
