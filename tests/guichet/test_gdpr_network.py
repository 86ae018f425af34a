"""GDPR export of what the Guichet holds about an agent beyond their questions."""

import datetime as dt

from django.utils import timezone

from cocon.core.gdpr import export_person
from cocon.guichet.models import KnowledgeEntry
from cocon.guichet.services_log import appointment_log


def test_export_lists_referent_roles_entries_appointments_and_teams(guichet):
    g = guichet
    KnowledgeEntry.objects.create(
        territory=g.world.territory,
        organization=g.world.org_b,
        topic=g.rsa,
        question="RSA et emploi saisonnier ?",
        answer="Déclaré au trimestre.",
        sources="CASF art. L262-2",
        valid_until=timezone.localdate() + dt.timedelta(days=30),
        owner=g["ref_b"],
    )
    section = export_person(g["ref_b"])["guichet_network"]
    assert section["referent_of"] == [
        {
            "organization": g.world.org_b.name,
            "topic": "RSA",
            "rank": "titular",
            "absent_until": None,
        }
    ]
    assert [e["question"] for e in section["knowledge_entries_owned"]] == [
        "RSA et emploi saisonnier ?"
    ]
    for _ in range(2):
        appointment_log(
            agent=g["agent"],
            place=g.bus_stop,
            date=timezone.localdate(),
            duration=10,
            outcome="solved",
        )
    agent = export_person(g["agent"])["guichet_network"]
    assert agent["appointments_logged_per_month"] == [
        {"month": timezone.localdate().strftime("%Y-%m"), "count": 2}
    ]
    assert export_person(g["juriste"])["guichet_network"]["legal_teams"] == [g.team.name]
    assert export_person(g["direction"])["guichet_network"]["legal_teams"] == [g.team.name]
