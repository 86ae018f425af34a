"""GDPR export and erasure cover reports and supports."""

from __future__ import annotations

from cocon.core.gdpr import erase_person, export_person
from cocon.reports import services
from cocon.reports.models import Report, Support


def test_export_lists_reports_made_and_supported(world, rworld, submit):
    mine = submit(
        author=world["usager"], category=rworld.water, attributes={"where": "meter"}
    ).report
    other = submit().report
    services.report_support(other, user=world["usager"])
    data = export_person(world["usager"])["reports"]
    assert [r["reference"] for r in data["made"]] == [mine.voice.reference]
    assert data["made"][0]["answers"] == {"where": "meter"}
    assert [s["reference"] for s in data["supported"]] == [other.voice.reference]


def test_erasure_keeps_the_public_problem_but_not_the_person(world, rworld, submit):
    mine = submit(
        author=world["usager"],
        category=rworld.water,
        attributes={"where": "meter"},
        address="12 rue des Lilas",
    ).report
    other = submit().report
    services.report_support(other, user=world["usager"])
    erase_person(world["usager"])
    mine = Report.objects.select_related("voice").get(pk=mine.pk)
    assert mine.attributes == {}
    assert mine.voice.author_id is None and mine.voice.address == ""
    assert "Lilas" not in mine.voice.text
    assert (mine.latitude, mine.category_id) != (None, None)  # the map stays true
    assert not Support.objects.exists()
    other.refresh_from_db()
    assert other.support_count == 1
