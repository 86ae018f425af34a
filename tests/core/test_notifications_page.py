"""The notifications page: list, mark as read, email preference."""

import pytest

from cocon.core.models import Notification, NotificationPreference
from cocon.core.notifications import notify

pytestmark = pytest.mark.django_db


def test_list_mark_read_and_preference(world, client_for):
    notify([world["manager"]], kind="test", title="Nouvelle parole pour Eau", url="/x/")
    client = client_for("manager")
    page = client.get("/compte/notifications/").content.decode()
    assert "Nouvelle parole pour Eau" in page and "badge--todo" in page
    assert client.post("/compte/notifications/", {"mark_read": "1"}).status_code == 302
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert client.post("/compte/notifications/", {"email": "never"}).status_code == 302
    assert NotificationPreference.objects.get(user=world["manager"]).email == "never"
    assert client.post("/compte/notifications/", {"email": "sometimes"}).status_code == 400


def test_others_notifications_are_not_shown(world, client_for):
    notify([world["manager"]], kind="test", title="Secret du manager")
    assert (
        "Secret du manager"
        not in client_for("agent").get("/compte/notifications/").content.decode()
    )


def test_preference_decides_email(world, django_capture_on_commit_callbacks):
    from django.core import mail

    NotificationPreference.objects.create(user=world["agent"], email="immediate")
    with django_capture_on_commit_callbacks(execute=True):
        notify([world["agent"], world["manager"]], kind="test", title="Bonjour")
    assert [m.to for m in mail.outbox] == [["agent@test.fr"]]
    assert Notification.objects.get(recipient=world["manager"]).digest_pending
