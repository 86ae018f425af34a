"""Readable word-level diff of two plain texts made of paragraphs (charter versions).

Paragraphs (separated by an empty line) are aligned first, so that a moved sentence in
one paragraph does not make the whole rest of the text look changed; words are then
compared inside each pair of changed paragraphs. The result is what a page shows with
<ins>/<del>: per paragraph, its status and its (op, text) segments.

Pure Python (difflib), no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

EQUAL, INSERT, DELETE = "equal", "insert", "delete"
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_TOKENS = re.compile(r"\s+|[^\s]+")
# below this similarity two paragraphs are shown as one removed and one added
MIN_PAIR_RATIO = 0.3


@dataclass(frozen=True)
class Segment:
    op: str  # "equal", "insert" or "delete"
    text: str

    def __iter__(self):  # so that `op, text = segment` works
        return iter((self.op, self.text))


@dataclass
class Paragraph:
    status: str  # "equal", "changed", "added" or "removed"
    segments: list[Segment] = field(default_factory=list)


@dataclass
class TextDiff:
    paragraphs: list[Paragraph]

    @property
    def changed(self) -> int:
        """Paragraphs changed, added or removed."""
        return sum(1 for p in self.paragraphs if p.status != EQUAL)

    def count(self, status: str) -> int:
        return sum(1 for p in self.paragraphs if p.status == status)

    @property
    def segments(self) -> list[Segment]:
        """Every segment, paragraphs separated by a blank line (inserted before an added
        paragraph, deleted before a removed one)."""
        out: list[Segment] = []
        ops = {"added": INSERT, "removed": DELETE}
        for i, paragraph in enumerate(self.paragraphs):
            if i:
                out.append(Segment(ops.get(paragraph.status, EQUAL), "\n\n"))
            out.extend(paragraph.segments)
        return out


def paragraphs(text: str) -> list[str]:
    """Paragraphs of `text`: split on empty lines, inner whitespace kept, ends trimmed."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return []
    return [p.strip() for p in _PARAGRAPH_BREAK.split(text) if p.strip()]


def _merge(segments: list[Segment]) -> list[Segment]:
    """Join neighbours with the same op; a lone space between two changes joins them,
    so "a b" → "c d" reads as one deletion and one insertion, not four pieces."""
    out: list[Segment] = []
    for i, seg in enumerate(segments):
        if not seg.text:
            continue
        if (
            seg.op == EQUAL
            and seg.text.isspace()
            and 0 < i < len(segments) - 1
            and segments[i - 1].op != EQUAL
            and segments[i + 1].op != EQUAL
        ):
            # the space belongs to both sides of the change
            _append(out, Segment(DELETE, seg.text))
            _append(out, Segment(INSERT, seg.text))
            continue
        _append(out, seg)
    return _regroup(out)


def _append(out: list[Segment], seg: Segment) -> None:
    if out and out[-1].op == seg.op:
        out[-1] = Segment(seg.op, out[-1].text + seg.text)
    else:
        out.append(seg)


def _regroup(segments: list[Segment]) -> list[Segment]:
    """Within a run of changes, deletions first then insertions (old text, then new)."""
    out: list[Segment] = []
    run: list[Segment] = []

    def flush():
        deleted = "".join(s.text for s in run if s.op == DELETE)
        inserted = "".join(s.text for s in run if s.op == INSERT)
        if deleted:
            out.append(Segment(DELETE, deleted))
        if inserted:
            out.append(Segment(INSERT, inserted))
        run.clear()

    for seg in segments:
        if seg.op == EQUAL:
            flush()
            _append(out, seg)
        else:
            run.append(seg)
    flush()
    return out


def diff_words(old: str, new: str) -> list[Segment]:
    """Word-level (op, text) segments turning `old` into `new` (whitespace kept)."""
    a, b = _TOKENS.findall(old or ""), _TOKENS.findall(new or "")
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    raw: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            raw.append(Segment(EQUAL, "".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            raw.append(Segment(DELETE, "".join(a[i1:i2])))
        if tag in ("insert", "replace"):
            raw.append(Segment(INSERT, "".join(b[j1:j2])))
    return _merge(raw)


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def diff(old: str, new: str) -> TextDiff:
    """Paragraph-aware word diff of two texts."""
    a, b = paragraphs(old), paragraphs(new)
    result: list[Paragraph] = []
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(Paragraph(EQUAL, [Segment(EQUAL, p)]) for p in a[i1:i2])
            continue
        olds, news = a[i1:i2], b[j1:j2]
        # pair the changed paragraphs in order while they still look alike
        while olds and news:
            if _similarity(olds[0], news[0]) >= MIN_PAIR_RATIO:
                result.append(Paragraph("changed", diff_words(olds.pop(0), news.pop(0))))
            elif len(olds) > len(news):
                result.append(Paragraph("removed", [Segment(DELETE, olds.pop(0))]))
            else:
                result.append(Paragraph("added", [Segment(INSERT, news.pop(0))]))
        result.extend(Paragraph("removed", [Segment(DELETE, p)]) for p in olds)
        result.extend(Paragraph("added", [Segment(INSERT, p)]) for p in news)
    return TextDiff(result)
