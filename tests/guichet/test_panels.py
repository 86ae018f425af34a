"""What the Guichet adds to "Mon espace", per role."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from cocon.guichet.services_questions import question_ask


def home(client, user):
    client.force_login(user)
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_counter_agent_sees_the_counter_tools(client, guichet):
    page = home(client, guichet["agent"])
    for name in ("log_new", "question_ask", "question_mine", "knowledge_search"):
        assert reverse(f"guichet:{name}") in page
    assert reverse("guichet:question_inbox") not in page  # not a referent
    assert reverse("guichet:legal_home", args=[guichet.team.slug]) not in page


def test_referent_sees_the_questions_waiting_for_them(client, guichet):
    question_ask(
        asker=guichet["agent"],
        topic=guichet.rsa,
        target=guichet.world.org_b,
        text="Un usager au RSA peut-il cumuler avec un petit emploi saisonnier ?",
        now=timezone.now() - dt.timedelta(hours=1),
    )
    page = home(client, guichet["ref_b"])
    assert reverse("guichet:question_inbox") in page
    with translation.override("fr"):
        waiting = translation.ngettext(
            "%(n)s question from a counter to answer",
            "%(n)s questions from counters to answer",
            1,
        ) % {"n": 1}
    assert escape(waiting) in page and waiting.startswith("1 question")


def test_usager_sees_nothing_of_the_guichet(client, guichet):
    page = home(client, guichet["usager"])
    assert reverse("guichet:log_new") not in page


def test_legal_team_link_only_for_members_and_supervisors(client, guichet):
    link = reverse("guichet:legal_home", args=[guichet.team.slug])
    assert link in home(client, guichet["juriste"])
    assert link in home(client, guichet["direction"])
    assert link not in home(client, guichet["admin"])


def test_admin_sees_the_network_settings_of_their_organization(client, guichet):
    page = home(client, guichet["admin_b"])
    assert reverse("guichet:settings_referents", args=[guichet.world.org_b.slug]) in page
    assert reverse("guichet:settings_referents", args=[guichet.world.org_a.slug]) not in page
