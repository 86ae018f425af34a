"""The charter's readable diff: paragraphs aligned, then words."""

from cocon.lib.textdiff import DELETE, EQUAL, INSERT, Segment, diff, diff_words, paragraphs


def test_paragraphs_split_on_empty_lines_only():
    text = "Premier paragraphe\nsur deux lignes.\r\n\r\n  \n Deuxième.  \n\n\n"
    assert paragraphs(text) == ["Premier paragraphe\nsur deux lignes.", "Deuxième."]
    assert paragraphs("") == [] and paragraphs("   \n\n ") == []


def test_identical_texts_have_no_change():
    result = diff("A b c.\n\nD e.", "A b c.\n\nD e.")
    assert result.changed == 0
    assert [p.status for p in result.paragraphs] == ["equal", "equal"]


def test_word_change_inside_a_paragraph():
    segments = diff_words(
        "Nous entretenons le parc chaque mois.", "Nous entretenons le parc chaque semaine."
    )
    assert segments == [
        Segment(EQUAL, "Nous entretenons le parc chaque "),
        Segment(DELETE, "mois."),
        Segment(INSERT, "semaine."),
    ]
    assert (
        "".join(s.text for s in segments if s.op != INSERT)
        == "Nous entretenons le parc chaque mois."
    )
    assert (
        "".join(s.text for s in segments if s.op != DELETE)
        == "Nous entretenons le parc chaque semaine."
    )


def test_two_changed_words_in_a_row_read_as_one_change():
    segments = diff_words("le vieux pont rouge", "le nouveau passage rouge")
    assert segments == [
        Segment(EQUAL, "le "),
        Segment(DELETE, "vieux pont"),
        Segment(INSERT, "nouveau passage"),
        Segment(EQUAL, " rouge"),
    ]


def test_segments_unpack_as_pairs():
    op, text = diff_words("a", "b")[0]
    assert (op, text) == (DELETE, "a")


def test_added_removed_and_changed_paragraphs_are_counted():
    old = (
        "Article 1. Respecter le parc.\n\n"
        "Article 2. Informer les habitants chaque année.\n\n"
        "Article 3. Ancien texte supprimé entièrement."
    )
    new = (
        "Article 1. Respecter le parc.\n\n"
        "Article 2. Informer les habitants chaque trimestre.\n\n"
        "Article 4. Une toute nouvelle règle sur les chiens."
    )
    result = diff(old, new)
    statuses = [p.status for p in result.paragraphs]
    assert statuses[0] == "equal"
    assert statuses[1] == "changed"
    assert sorted(statuses[2:]) == ["added", "removed"]
    assert result.changed == 3
    assert result.count("changed") == 1
    changed = result.paragraphs[1].segments
    assert Segment(DELETE, "année.") in changed and Segment(INSERT, "trimestre.") in changed


def test_inserted_paragraph_does_not_shift_the_others():
    old = "Un.\n\nDeux.\n\nTrois."
    new = "Un.\n\nNouveau paragraphe.\n\nDeux.\n\nTrois."
    result = diff(old, new)
    assert [p.status for p in result.paragraphs] == ["equal", "added", "equal", "equal"]
    assert result.changed == 1


def test_flat_segments_rebuild_both_texts():
    old, new = "A b.\n\nC d e.", "A x b.\n\nC d.\n\nF."
    segments = diff(old, new).segments
    assert "".join(t for op, t in segments if op != INSERT) == "A b.\n\nC d e."
    assert "".join(t for op, t in segments if op != DELETE) == "A x b.\n\nC d.\n\nF."


def test_from_or_to_empty_text():
    assert [p.status for p in diff("", "Un.\n\nDeux.").paragraphs] == ["added", "added"]
    assert [p.status for p in diff("Un.", "").paragraphs] == ["removed"]
