"""Simple French keyword handling: normalisation, tokens, matching, frequent words.

Pure Python, standard library only (no Django, no language model). Used to suggest a theme
or a service from what a person wrote, and to show the most frequent words on a dashboard.

Pipeline: :func:`normalize` (lower case, no accents, elisions removed, letters and digits
only) then :func:`tokens` (minus stopwords, minus words of fewer than 3 characters, light
plural stemming).

Stopwords: articles, pronouns and possessives, prepositions, conjunctions, the forms of
*être*, *avoir*, *faire* and of the usual modal verbs (*pouvoir*, *devoir*, *vouloir*,
*falloir*), common adverbs (*très*, *plus*, *aussi*, *encore*...) and letter formulas
(*bonjour*, *madame*, *cordialement*...). Deliberately **kept**: *merci* and *remercie*
(they signal thanks), negations other than *ne/pas* such as *jamais*, *rien*, *aucun*
(they carry the complaint: "jamais ramassées"), and numbers of 3 digits or more (street
numbers, postcodes, bus lines).
"""

from __future__ import annotations

import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TypeVar

__all__ = [
    "STOPWORDS",
    "best_matches",
    "keyword_set",
    "normalize",
    "score",
    "tokens",
    "top_keywords",
]

K = TypeVar("K", bound=Hashable)

# Apostrophe look-alikes and the ligatures NFKD leaves alone.
_REPLACEMENTS = (
    ("\u2019", "'"),  # ’ right single quotation mark (typographic apostrophe)
    ("\u2018", "'"),  # ‘
    ("\u02bc", "'"),  # ʼ modifier letter apostrophe
    ("\u2032", "'"),  # ′ prime
    ("\u00b4", "'"),  # ´ acute accent typed as an apostrophe
    ("`", "'"),
    ("\u0153", "oe"),  # œ
    ("\u00e6", "ae"),  # æ
)
# Combining marks left by NFKD (accents, cedilla...).
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# A word: letters and digits, possibly with inner apostrophes (l'eclairage, aujourd'hui).
_WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_ELISIONS = frozenset(
    ("c", "d", "j", "l", "m", "n", "s", "t", "qu", "jusqu", "lorsqu", "puisqu", "quoiqu")
)

MIN_LENGTH = 3
_STEM_MIN_LENGTH = 5  # strip a plural s/x only from words longer than 4 characters

# Already normalised (no accents): they are compared with normalised words.
_STOPWORDS_TEXT = """
    le la les un une des du de au aux ce cet cette ces
    mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs
    je tu il elle on nous vous ils elles me te se moi toi lui eux en y
    celui celle ceux celles cela ceci ca qui que quoi dont ou lequel laquelle lesquels
    quel quelle quels quelles
    a dans par pour sur sous avec sans chez vers entre contre depuis pendant avant apres
    devant derriere pres selon malgre parmi hors envers via
    et ou mais donc or ni car si comme quand lorsque puisque parce afin ainsi alors
    ne pas plus moins tres trop peu bien tout tous toute toutes aussi encore deja
    toujours souvent parfois ici meme autre autres chaque quelque quelques plusieurs
    oui non voici voila etc cependant pourtant vraiment beaucoup assez tant
    etre suis es est sommes etes sont etais etait etions etiez etaient ete
    serai seras sera serons serez seront serais serait serions seriez seraient
    sois soit soyons soyez soient fus fut
    avoir ai as avons avez ont avais avait avions aviez avaient eu
    aurai auras aura aurons aurez auront aurais aurait aurions auriez auraient
    aie aies ait ayons ayez aient
    faire fais fait faisons faites font faisait faisaient ferai fera ferait feront
    pouvoir peux peut pouvons pouvez peuvent pourrais pourrait pourriez pourrions
    devoir dois doit devons devez doivent devrais devrait devriez
    vouloir veux veut voulons voulez veulent voudrais voudrait voudrions
    falloir faut faudrait
    bonjour bonsoir salut madame mesdames monsieur messieurs cordialement
    svp stp plait
"""
STOPWORDS: frozenset[str] = frozenset(_STOPWORDS_TEXT.split())


def _raw_words(text: str) -> list[str]:
    """Lower-case, accent-free words, still with their apostrophes ("l'eclairage")."""
    text = text.casefold()
    for old, new in _REPLACEMENTS:
        if old in text:
            text = text.replace(old, new)
    if not text.isascii():
        text = _COMBINING.sub("", unicodedata.normalize("NFKD", text))
    return _WORD.findall(text)


def _unelide(word: str) -> str:
    """Drop leading elisions, join what remains: "l'eclairage" -> "eclairage"."""
    if "'" not in word:
        return word
    parts = word.split("'")
    while len(parts) > 1 and parts[0] in _ELISIONS:
        del parts[0]
    return "".join(parts)


def normalize(text: str) -> str:
    """Lower-case, accent-free text of letters and digits separated by single spaces.

    Typographic apostrophes count as ``'``; French elisions are dropped at the start of a
    word (``l'``, ``d'``, ``qu'``, ``j'``, ``n'``, ``s'``, ``c'``, ``m'``, ``t'``, ``jusqu'``,
    ``lorsqu'``, ``puisqu'``, ``quoiqu'``); any other apostrophe inside a word joins its two
    halves (``aujourd'hui`` -> ``aujourdhui``). Every other character that is not a letter
    or a digit (hyphen, punctuation, underscore, quotes) separates words.

    >>> normalize("L’éclairage public est en panne, rue Jean-Jaurès !")
    'eclairage public est en panne rue jean jaures'
    """
    return " ".join(_unelide(word) for word in _raw_words(text))


def _to_token(word: str) -> str | None:
    """A normalised word as a token, or None when it is a stopword or too short."""
    if len(word) < MIN_LENGTH or word in STOPWORDS:
        return None
    if len(word) >= _STEM_MIN_LENGTH and word[-1] in "sx":
        return word[:-1]
    return word


@lru_cache(maxsize=65536)
def _token(raw_word: str) -> str | None:
    """The token of a word of :func:`_raw_words`, or None."""
    return _to_token(_unelide(raw_word))


def tokens(text: str) -> list[str]:
    """The meaningful words of ``text``, in order (repetitions kept).

    Normalised words (see :func:`normalize`) minus :data:`STOPWORDS` and words of fewer
    than 3 characters, with a light plural stemming: a final ``s`` or ``x`` is removed
    from words of more than 4 characters ("poubelles" -> "poubelle", "trous" -> "trou";
    "bus" and "prix" stay).

    >>> tokens("Les poubelles ne sont pas ramassées rue Jean-Jaurès")
    ['poubelle', 'ramassee', 'rue', 'jean', 'jaure']
    """
    result = []
    for word in _raw_words(text):
        token = _token(word)
        if token is not None:
            result.append(token)
    return result


def keyword_set(text: str) -> frozenset[str]:
    """The distinct tokens of ``text``."""
    return frozenset(tokens(text))


@lru_cache(maxsize=4096)
def _phrase(keyword: str) -> tuple[str, ...]:
    return tuple(tokens(keyword))


def _positions(text_tokens: Sequence[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for i, token in enumerate(text_tokens):
        positions.setdefault(token, []).append(i)
    return positions


def _score(
    text_tokens: Sequence[str], positions: dict[str, list[int]], keywords: Iterable[str]
) -> float:
    total = 0
    seen: set[tuple[str, ...]] = set()
    for keyword in keywords:
        phrase = _phrase(keyword)
        if not phrase or phrase in seen:
            continue
        seen.add(phrase)
        n = len(phrase)
        for i in positions.get(phrase[0], ()):
            if tuple(text_tokens[i : i + n]) == phrase:
                total += n
                break
    return float(total)


def score(text_tokens: Sequence[str] | str, keywords: Iterable[str]) -> float:
    """How well a text matches ``keywords``: the sum of the lengths, in tokens, of the
    keywords found in the text.

    ``text_tokens`` is the output of :func:`tokens` (a plain string is tokenised first).
    Each keyword goes through :func:`tokens` too, so it may be written naturally ("Cartes
    grises", "permis de construire"). A keyword matches when all its tokens appear
    consecutively in the text tokens (stopwords being already removed on both sides,
    "permis de construire" matches "permis pour construire", and "carte grise" matches
    "la carte est grise"). A matched keyword counts once
    however many times it occurs, and weighs its number of tokens: "carte grise" found
    gives 2.0, "poubelle" found gives 1.0. Keywords that reduce to the same tokens count
    once; keywords made only of stopwords are ignored.

    >>> score(tokens("Ma carte grise et mes poubelles"), ["carte grise", "poubelle", "bus"])
    3.0
    """
    if isinstance(text_tokens, str):
        text_tokens = tokens(text_tokens)
    return _score(text_tokens, _positions(text_tokens), keywords)


def best_matches(
    text: str, candidates: Mapping[K, Iterable[str]], limit: int = 3
) -> list[tuple[K, float]]:
    """The candidates whose keywords match ``text`` best, as ``(key, score)`` pairs.

    Only candidates with a score above 0 (see :func:`score`), by decreasing score, then in
    the order of ``candidates`` (insertion order of a dict); at most ``limit`` of them.
    Used to suggest a theme or a service from what a person wrote.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    text_tokens = tokens(text)
    positions = _positions(text_tokens)
    scored = []
    for key, keywords in candidates.items():
        value = _score(text_tokens, positions, keywords)
        if value > 0:
            scored.append((key, value))
    scored.sort(key=lambda pair: -pair[1])  # stable: ties keep the candidates' order
    return scored[:limit]


def top_keywords(
    texts: Iterable[str | None], limit: int = 10, min_count: int = 2
) -> list[tuple[str, int]]:
    """The most frequent tokens across ``texts``, as ``(token, count)`` pairs.

    ``count`` is a document frequency: the number of texts containing the token (a word
    repeated in one text counts once). Only tokens with ``count >= min_count``; by
    decreasing count, ties in alphabetical order; at most ``limit`` pairs. Empty or
    ``None`` texts are skipped. Used for the "top themes" of a dashboard.
    """
    if limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    counts: Counter[str] = Counter()
    cache: dict[str, str | None] = {}  # raw word -> token, for this call only
    for text in texts:
        if not text:
            continue
        found = set()
        for word in _raw_words(text):
            try:
                token = cache[word]
            except KeyError:
                token = cache[word] = _to_token(_unelide(word))
            found.add(token)
        found.discard(None)
        counts.update(found)
    frequent = ((token, n) for token, n in counts.items() if n >= min_count)
    return heapq.nsmallest(limit, frequent, key=lambda pair: (-pair[1], pair[0]))
