"""GDPR of the process frame: export of what a person started, facilitates, sponsors."""

from cocon.core.gdpr import erase_person, export_person


def test_export_and_erase(pworld):
    process = pworld.process
    process.animateurs.add(pworld["agent"])
    data = export_person(pworld["elu"])["processes_process"]
    assert data["sponsored"][0]["sponsor_label"] == "Élise Élue, vice-présidente"
    assert export_person(pworld["agent"])["processes_process"]["facilitated"][0]["slug"] == (
        "parc-des-berges"
    )
    created = export_person(pworld["animateur"])["processes_process"]["created"]
    assert [p["id"] for p in created] == [process.pk]
    erase_person(pworld["elu"])
    process.refresh_from_db()
    assert process.sponsor is None and process.sponsor_label == ""
    assert process.title == "Parc des Berges"  # the process stays
