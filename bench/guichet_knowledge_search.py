#!/usr/bin/env python3
"""Speed of the Guichet knowledge-base search (issue point 3: "search over 100,000
entries p95 < 50 ms") through the selector the search page uses.

Creates --entries knowledge entries (default 100,000) in a database of its own: a SQLite
file in a temporary directory, or the PostgreSQL database given by --database-url (it
is migrated, then the entries of a territory "bench-guichet" are created once and kept:
a later run with the same URL reuses them). The texts are realistic French questions
and answers built with a seeded generator from a vocabulary of public-service words
(benefits, documents, bodies, situations), ~10 % of them past their validity date.

Then runs --queries searches (default 240): one to four words taken from the
vocabulary, a quarter of them with a typo (a letter dropped, doubled or swapped), some
without accents, some with a topic or organization filter. Each search does what the
page does: the capped count and the first page of 20 entries
(`selectors_knowledge.search` + `CappedPaginator`). Prints p50 / p95 / max in ms, the
share of searches with at least one result, and how many took the typo-tolerant path.

    python3 bench/guichet_knowledge_search.py                      # SQLite, 100,000
    python3 bench/guichet_knowledge_search.py --database-url postgres://postgres@127.0.0.1:5432/cocon_knowledge_bench

It re-runs itself with the checkout's venv (.venv/bin/python). Other processes on the
machine skew the figures (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOAD_SEED = 20261124
QUERY_SEED = 20261125
VENV_PYTHON = REPO / ".venv" / "bin" / "python"

TOPICS = {
    "RSA": ["rsa", "revenu de solidarité active", "prime d'activité"],
    "Logement": ["allocation logement", "apl", "aide au logement", "loyer", "caution"],
    "Carte grise": ["carte grise", "certificat d'immatriculation", "changement d'adresse"],
    "Identité": ["carte d'identité", "passeport", "titre de séjour", "acte de naissance"],
    "Santé": ["complémentaire santé solidaire", "carte vitale", "aide médicale de l'état"],
    "Handicap": ["allocation adulte handicapé", "mdph", "prestation de compensation"],
    "Emploi": ["inscription à france travail", "allocation chômage", "formation"],
    "Retraite": ["retraite", "minimum vieillesse", "pension de réversion"],
    "Énergie": ["chèque énergie", "impayé d'électricité", "fonds de solidarité logement"],
    "Impôts": ["déclaration de revenus", "taxe foncière", "avis d'imposition"],
    "Famille": ["allocations familiales", "garde d'enfant", "pension alimentaire"],
    "Justice": ["aide juridictionnelle", "recours gracieux", "médiation"],
    "Transport": ["permis de conduire", "tarif solidaire", "transport scolaire"],
    "Scolarité": ["bourse de collège", "cantine", "inscription scolaire"],
    "Numérique": ["compte ameli", "france connect", "mot de passe oublié"],
}
ASKS = [
    "Comment demander {s}",
    "Quelles pièces fournir pour {s}",
    "Qui a droit à {s}",
    "Quel délai pour obtenir {s}",
    "Peut-on cumuler {s} et {t}",
    "Que faire en cas de refus de {s}",
    "Comment contester une décision sur {s}",
    "Où déposer le dossier de {s}",
    "Comment renouveler {s}",
    "Quelles conditions de ressources pour {s}",
]
PEOPLE = [
    "un étudiant", "une personne âgée", "un travailleur saisonnier", "un couple sans enfant",
    "une famille monoparentale", "un demandeur d'asile", "un jeune de moins de 25 ans",
    "une personne hébergée", "un retraité", "un apprenti", "une personne sans domicile",
    "un agriculteur", "un auto-entrepreneur", "une personne en situation de handicap",
]  # fmt: skip
BODIES = [
    "la CAF", "la CPAM", "la MSA", "la préfecture", "la mairie", "le CCAS", "France Travail",
    "le département", "la MDPH", "le centre des finances publiques", "l'ANTS", "la CARSAT",
]  # fmt: skip
SENTENCES = [
    "La demande se fait en ligne sur le site de {b} ou au guichet.",
    "Il faut fournir un justificatif de domicile de moins de trois mois.",
    "Le délai de traitement est d'environ {n} semaines.",
    "Un rendez-vous peut être pris auprès de {b} pour être accompagné.",
    "Les ressources des trois derniers mois sont prises en compte.",
    "En cas de refus, un recours gracieux est possible dans les deux mois.",
    "Le versement est mensuel et rétroactif au mois de la demande.",
    "La situation doit être déclarée à chaque changement.",
    "Un agent de {b} peut aider à remplir le formulaire.",
    "Une attestation sur l'honneur suffit dans certains cas.",
    "Le simulateur en ligne donne une estimation des droits.",
    "La notification est envoyée par courrier ou dans l'espace personnel.",
]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def typo(word: str, rnd: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rnd.randrange(1, len(word) - 1)
    kind = rnd.choice(["drop", "double", "swap"])
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def texts(rnd: random.Random, topic: str) -> tuple[str, str]:
    subjects = TOPICS[topic]
    s = rnd.choice(subjects)
    t = rnd.choice([x for xs in TOPICS.values() for x in xs])
    question = rnd.choice(ASKS).format(s=s, t=t) + f" pour {rnd.choice(PEOPLE)} ?"
    answer = " ".join(
        rnd.choice(SENTENCES).format(b=rnd.choice(BODIES), n=rnd.randint(2, 12))
        for _ in range(rnd.randint(3, 6))
    )
    return question[0].upper() + question[1:], answer


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
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def analyze() -> None:
    """Fresh planner statistics (PostgreSQL), on a new database and a reused one alike."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def load(args, rnd: random.Random):
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from cocon.guichet.models import KnowledgeEntry, Topic
    from cocon.territory.models import Organization, Territory

    territory, _ = Territory.objects.get_or_create(
        slug="bench-guichet", defaults={"name": "Banc d'essai"}
    )
    orgs = [
        Organization.objects.get_or_create(
            slug=f"bench-guichet-{i}",
            defaults={"territory": territory, "kind": "epci", "name": f"Organisation {i}"},
        )[0]
        for i in range(6)
    ]
    topics = {
        name: Topic.objects.get_or_create(
            territory=territory, slug=f"t{i}", defaults={"name": name}
        )[0]
        for i, name in enumerate(TOPICS)
    }
    have = KnowledgeEntry.objects.filter(territory=territory).count()
    if have >= args.entries:
        print(f"- Reusing {have:,} entries")
        analyze()
        return territory, orgs, list(topics.values())
    today = timezone.localdate()
    now = timezone.now()
    started = time.perf_counter()
    names = list(TOPICS)
    batch = []
    with transaction.atomic():
        for i in range(have, args.entries):
            name = names[min(int(rnd.paretovariate(1.2)) - 1, len(names) - 1)]
            question, answer = texts(rnd, name)
            expired = rnd.random() < 0.1
            batch.append(
                KnowledgeEntry(
                    territory=territory,
                    organization=orgs[i % len(orgs)],
                    topic=topics[name],
                    question=question,
                    answer=answer,
                    sources="https://www.service-public.fr/",
                    valid_until=today + dt.timedelta(days=-30 if expired else 365),
                    usage_count=int(rnd.paretovariate(1.5)) - 1,
                    created_at=now,
                    updated_at=now - dt.timedelta(minutes=i),
                )
            )
            if len(batch) == 5000:
                KnowledgeEntry.objects.bulk_create(batch)
                batch = []
        if batch:
            KnowledgeEntry.objects.bulk_create(batch)
    analyze()
    print(f"- Created {args.entries - have:,} entries in {time.perf_counter() - started:.1f} s")
    return territory, orgs, list(topics.values())


def queries(args, orgs, topics) -> list[tuple[str, dict]]:
    """The same searches on every run (their own seeded generator: the loader's draws
    depend on how many entries it had to create)."""
    rnd = random.Random(QUERY_SEED)
    words = sorted(
        {
            w
            for xs in [*TOPICS.values(), PEOPLE, ["demande", "recours", "délai", "justificatif"]]
            for x in xs
            for w in x.replace("'", " ").split()
            if len(w) > 3
        }
    )
    out = []
    for i in range(args.queries):
        picked = (
            rnd.sample(words, rnd.randint(1, 3))
            if i % 3
            else [rnd.choice(rnd.choice(list(TOPICS.values())))]
        )
        text = " ".join(picked)
        if i % 4 == 1:
            text = " ".join(typo(w, rnd) for w in text.split())
        if i % 5 == 2:
            text = fold(text)
        filters = {}
        if i % 7 == 3:
            filters["topic_id"] = rnd.choice(topics).pk
        if i % 11 == 5:
            filters["organization_id"] = rnd.choice(orgs).pk
        out.append((text, filters))
    return out


def measure(args) -> None:
    from django.db import connection

    from cocon.core.paging import CappedPaginator
    from cocon.guichet import selectors_knowledge as selectors

    territory, orgs, topics = load(args, random.Random(LOAD_SEED))
    cases = queries(args, orgs, topics)
    fuzzy_calls = []  # the typo-tolerant path, seen through the functions it calls
    partial_calls = []  # "some of the words" (no entry has them all)
    if connection.vendor == "postgresql":
        plain_pg = selectors._pg_search

        def pg_search(qs, text, *, fuzzy: bool, any_word: bool = False):
            (partial_calls if any_word else fuzzy_calls if fuzzy else []).append(text)
            return plain_pg(qs, text, fuzzy=fuzzy, any_word=any_word)

        selectors._pg_search = pg_search
    else:
        plain_match = selectors._sqlite_match

        def sqlite_match(words, *, alternatives=None, any_word: bool = False):
            if any_word:
                partial_calls.append(words)
            elif alternatives is not None:
                fuzzy_calls.append(words)
            return plain_match(words, alternatives=alternatives, any_word=any_word)

        selectors._sqlite_match = sqlite_match

    def run(text, filters):
        search = selectors.SearchFilters(q=text, any_word=args.any_word, **filters)
        qs = selectors.search(territory, search)
        paginator = CappedPaginator(qs, 20, cap=1000)
        page = paginator.get_page(1)
        return paginator.count, list(page.object_list)

    for text, filters in cases[:10]:  # warm caches
        run(text, filters)
    fuzzy_calls.clear()
    partial_calls.clear()
    timings, with_results, slowest = [], 0, []
    for text, filters in cases:
        started = time.perf_counter()
        n, rows = run(text, filters)
        timings.append((time.perf_counter() - started) * 1000)
        slowest.append((timings[-1], text, n, filters))
        with_results += bool(rows)
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"- Queries: {len(cases)} ({len(fuzzy_calls)} took the typo-tolerant path, "
        f"{len(partial_calls)} the some-of-the-words one)"
    )
    print(f"- With at least one result: {with_results}/{len(cases)}")
    print(
        f"- Search (count + first page of 20), ms: p50 {statistics.median(timings):.1f}, "
        f"p95 {p95:.1f}, max {timings[-1]:.1f}"
    )
    for ms, text, n, filters in sorted(slowest, reverse=True)[: args.slowest]:
        print(f"  - {ms:.1f} ms: {text!r} {filters or ''} → {n} entries")
    print(f"- Load average after: {os.getloadavg()}")
    print(f"- Target p95 < 50 ms: {'met' if p95 < 50 else 'NOT met'}")


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=240)
    ap.add_argument("--slowest", type=int, default=5, help="print the N slowest searches")
    ap.add_argument(
        "--any-word",
        action="store_true",
        help="time the 'at least one of the words' search (the page's second step, suggestions)",
    )
    ap.add_argument("--database-url", default="", help="PostgreSQL URL (default: SQLite)")
    ap.add_argument("--data-dir", default="", help="directory of the SQLite file (temporary)")
    args = ap.parse_args()
    tmp = None
    if not args.data_dir:
        tmp = tempfile.TemporaryDirectory(prefix="cocon-bench-knowledge-")
        args.data_dir = tmp.name
    print("## Guichet knowledge-base search")
    python = platform.python_version()
    print(f"- Machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {python}")
    print(f"- Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, load average {os.getloadavg()}")
    setup(args)
    from django.db import connection

    version = (
        connection.Database.sqlite_version
        if connection.vendor == "sqlite"
        else connection.pg_version
    )
    print(f"- Database: {connection.vendor} {version}")
    print(f"- Entries: {args.entries:,}")
    measure(args)
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
