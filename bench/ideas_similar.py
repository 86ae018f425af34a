#!/usr/bin/env python3
"""Speed and memory of the "similar ideas" index (issue 5, point 2) on synthetic titles.

Generates --ideas short French idea titles with a seeded generator (same titles every
run): a verb, a subject among ~250 nouns with Zipf-like frequencies, often an adjective
and a place ("rue", "square", "quartier"... followed by one of ~5,000 made-up names, so
that the vocabulary has the long tail of real titles), about 3 % of them with a typo.
Then:

1. builds a :class:`cocon.lib.similar.SimilarityIndex` from them (wall time);
2. measures the memory held by the index once built: a walk of its containers (lists,
   dicts, arrays, numpy arrays, the keys and token strings), shared objects counted once,
   the titles themselves excluded since the index does not keep them;
3. times the first search (it computes the IDF and the document norms), then --queries
   searches (default 200): half are existing titles rewritten (accents dropped, plural
   changed, a typo, words dropped), half new combinations; prints p50, p95 and max in ms
   and how many returned at least one idea;
4. times one add followed by a search (the search pays the norms again).

    python3 bench/ideas_similar.py                 # 100,000 titles, 200 queries
    python3 bench/ideas_similar.py --ideas 20000 --queries 500

It re-runs itself with the checkout's venv (.venv/bin/python) when started with another
Python. Other processes on the machine skew the figures (the load average is printed).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_PYTHON = REPO / ".venv" / "bin" / "python"

VERBS = (
    "Installer", "Ajouter", "Créer", "Réparer", "Supprimer", "Déplacer", "Sécuriser",
    "Rénover", "Améliorer", "Élargir", "Réduire", "Interdire", "Autoriser", "Nettoyer",
    "Végétaliser", "Éclairer", "Signaler", "Ouvrir", "Fermer", "Repeindre", "Aménager",
    "Distribuer", "Prolonger", "Limiter", "Remplacer", "Entretenir", "Multiplier",
)  # fmt: skip
NOUNS = (
    "poubelles", "cendriers", "cendriers de poche", "mégots", "bancs", "toilettes publiques",
    "éclairage public", "lampadaires", "trottinettes", "trottoirs", "pistes cyclables",
    "arceaux vélos", "horaires du guichet", "horaires de la médiathèque", "parking",
    "stationnement", "passage piéton", "ralentisseurs", "feux tricolores", "arbres",
    "jardinières", "composteurs", "bacs de tri", "conteneurs à verre", "fontaines à eau",
    "jeux pour enfants", "terrain de sport", "city stade", "abribus", "ligne de bus",
    "navette", "marché", "affichage libre", "panneaux", "plan du quartier", "wifi public",
    "prises de recharge", "bornes électriques", "espace chiens", "crottes de chien",
    "tags", "graffitis", "nids de poule", "chaussée", "pavés", "escaliers", "rampe d'accès",
    "ascenseur", "accueil de la mairie", "démarches en ligne", "formulaire", "rendez-vous",
    "état civil", "cantine", "menus de la cantine", "périscolaire", "crèche", "piscine",
    "gymnase", "salle des fêtes", "bibliothèque", "ludothèque", "cinéma de plein air",
    "concerts", "fête des voisins", "jardins partagés", "potager", "ruches", "nichoirs",
    "haies", "pelouses", "fleurs", "bruit", "vitesse", "zone 30", "zone de rencontre",
)  # fmt: skip
ADJECTIVES = (
    "supplémentaires", "gratuits", "solaires", "connectés", "accessibles", "sécurisés",
    "propres", "nocturnes", "écologiques", "partagés", "municipaux", "provisoires",
)  # fmt: skip
PLACES = (
    "rue", "avenue", "place", "square", "quartier", "parc", "boulevard", "impasse",
    "allée", "école", "résidence", "chemin",
)  # fmt: skip
SYLLABLES = (
    "ba", "bel", "ber", "bon", "ca", "char", "cha", "co", "dau", "de", "du", "fa", "fon",
    "ga", "gre", "ja", "la", "le", "lou", "ma", "mar", "mi", "mon", "na", "pa", "pe",
    "pi", "ro", "ri", "sa", "se", "tai", "ti", "va", "ver", "vi", "zo", "lin", "ton",
)  # fmt: skip


def _ensure_venv() -> None:
    if VENV_PYTHON.exists() and Path(sys.prefix).resolve() != VENV_PYTHON.parent.parent.resolve():
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), *sys.argv])


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(3)
    if kind == 0:  # a letter dropped
        return word[:i] + word[i + 1 :]
    if kind == 1:  # a letter doubled
        return word[:i] + word[i] + word[i:]
    return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]  # two letters swapped


def _zipf(items: tuple[str, ...] | list[str], rng: random.Random) -> str:
    """Item of rank r with a probability proportional to 1 / r (roughly)."""
    r = int(len(items) ** rng.random()) - 1
    return items[min(r, len(items) - 1)]


def make_titles(n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    names = sorted(
        {
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randrange(2, 5))).capitalize()
            for _ in range(6000)
        }
    )
    titles = []
    for _ in range(n):
        words = [rng.choice(VERBS), "les", _zipf(NOUNS, rng)]
        if rng.random() < 0.4:
            words.append(rng.choice(ADJECTIVES))
        if rng.random() < 0.7:
            words += ["dans la" if rng.random() < 0.5 else "près de", rng.choice(PLACES)]
            words.append(_zipf(names, rng))
        if rng.random() < 0.03:
            j = rng.randrange(len(words))
            words[j] = _typo(words[j], rng)
        titles.append(" ".join(words))
    return titles


def _strip_accents(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def make_queries(titles: list[str], n: int, seed: int = 6) -> list[str]:
    rng = random.Random(seed)
    queries = []
    for i in range(n):
        if i % 2:
            queries.append(make_titles(1, seed=seed * 1000 + i)[0])
            continue
        words = rng.choice(titles).split()
        if rng.random() < 0.5:  # accents dropped
            words = [_strip_accents(word) for word in words]
        if rng.random() < 0.5 and len(words) > 3:
            del words[rng.randrange(len(words))]
        j = rng.randrange(len(words))
        words[j] = _typo(words[j], rng) if rng.random() < 0.5 else words[j].rstrip("s")
        queries.append(" ".join(words))
    return queries


def deep_size(root: object) -> int:
    """Bytes held by ``root`` and everything it references, each object counted once."""
    import numpy as np

    seen: set[int] = set()
    stack = [root]
    total = 0
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, np.ndarray):
            total += sys.getsizeof(obj) + (obj.nbytes if obj.base is not None else 0)
            continue
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            stack.extend(obj.keys())
            stack.extend(obj.values())
        elif isinstance(obj, list | tuple | set | frozenset):
            stack.extend(obj)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            stack.append(obj.__dict__)
    return total


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    _ensure_venv()
    sys.path.insert(0, str(REPO))
    from cocon.lib.similar import SimilarityIndex

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ideas", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()

    load_before = os.getloadavg()
    titles = make_titles(args.ideas)
    queries = make_queries(titles, args.queries)
    items = list(enumerate(titles))

    start = time.perf_counter()
    index = SimilarityIndex(items)
    build_s = time.perf_counter() - start
    vocabulary = len(index._token_text)

    start = time.perf_counter()
    index.search(queries[0])
    first_ms = (time.perf_counter() - start) * 1000

    times, hits = [], 0
    for query in queries:
        start = time.perf_counter()
        found = index.search(query)
        times.append((time.perf_counter() - start) * 1000)
        hits += bool(found)

    held = deep_size(index)  # after a search: the IDF and norms arrays are included

    start = time.perf_counter()
    index.add(len(items), "Installer des cendriers de poche près de l'école")
    index.search(queries[1])
    add_ms = (time.perf_counter() - start) * 1000

    p50, p95 = statistics.median(times), _percentile(times, 0.95)
    mib = 1024 * 1024
    print(f"ideas: {args.ideas:,}  vocabulary: {vocabulary:,} tokens  queries: {len(times)}")
    print(f"build: {build_s:.2f} s")
    print(
        f"memory held by the index: {held / mib:.1f} MiB ({held / args.ideas:.0f} bytes per idea)"
    )
    print(f"first search (IDF + norms): {first_ms:.1f} ms")
    print(f"search: p50 {p50:.2f} ms  p95 {p95:.2f} ms  max {max(times):.2f} ms")
    print(f"queries with at least one suggestion (min_score 0.2): {hits}/{len(times)}")
    print(f"add + next search: {add_ms:.1f} ms")
    print(f"| {args.ideas:,} | {p50:.2f} | {p95:.2f} | {held / mib:.1f} | {build_s:.2f} |")
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, load {load_before[0]:.2f} -> {os.getloadavg()[0]:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
