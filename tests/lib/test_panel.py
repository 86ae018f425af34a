from cocon.lib.panel import compose, totals

ROLES = ["usager", "agent", "expert", "elu"]


def test_gaps_against_registered_before_the_event():
    rows = compose(
        ROLES,
        {"usager": {"registered": 1, "waiting": 2}, "agent": {"registered": 3, "present": 0}},
        {"usager": 3, "agent": 1},
        held=False,
    )
    by = {r.key: r for r in rows}
    assert by["usager"].missing == 2 and not by["usager"].met
    assert by["usager"].waiting == 2
    assert by["agent"].missing == 0 and by["agent"].above == 2 and by["agent"].met
    assert by["expert"].target is None and by["expert"].missing == 0 and not by["expert"].met
    assert [r.key for r in rows] == ROLES


def test_gaps_against_present_once_held():
    rows = compose(ROLES, {"usager": {"registered": 5, "present": 1}}, {"usager": 3}, held=True)
    assert rows[0].basis == 1 and rows[0].missing == 2


def test_agent_categories_follow_the_agent_row_and_are_not_totalled():
    rows = compose(
        ROLES,
        {"agent": {"registered": 3, "present": 2}},
        {"agent": 2, "agent:C": 2},
        held=True,
        categories=["A", "B", "C"],
        category_counts={
            "A": {"registered": 1, "present": 1},
            "C": {"registered": 2, "present": 1},
        },
    )
    keys = [r.key for r in rows]
    assert keys == ["usager", "agent", "agent:A", "agent:C", "expert", "elu"]
    c = rows[3]
    assert c.is_category and c.missing == 1
    total = totals(rows)
    assert total == {"registered": 3, "waiting": 0, "present": 2, "target": 2, "missing": 0}


def test_zero_target_means_no_target():
    rows = compose(["usager"], {}, {"usager": 0}, held=False)
    assert rows[0].target is None and rows[0].missing == 0
