"""Per-process cache of reference data (cocon.core.refcache): filled once, emptied when a
watched model is saved or deleted, never holding another transaction's uncommitted data,
bounded by its TTL; current_territory() hands out copies."""

from __future__ import annotations

import pytest
from django.db import transaction

from cocon.core import refcache
from cocon.territory import selectors
from cocon.territory.models import Organization, Territory


def counting_loader(value="v"):
    calls = []

    def load():
        calls.append(1)
        return value

    return load, calls


def test_loaded_once_then_served_from_memory():
    load, calls = counting_loader()
    assert refcache.get("k", load) == "v"
    assert refcache.get("k", load) == "v"
    assert len(calls) == 1


def test_keep_false_is_not_stored():
    load, calls = counting_loader(None)
    refcache.get("k", load, keep=lambda v: v is not None)
    refcache.get("k", load, keep=lambda v: v is not None)
    assert len(calls) == 2


def test_ttl_bounds_staleness(settings):
    settings.COCON_REFCACHE_TTL = 0
    load, calls = counting_loader()
    refcache.get("k", load)
    refcache.get("k", load)
    assert len(calls) == 2


def test_a_load_overtaken_by_an_invalidation_is_not_stored():
    calls = []

    def load():
        calls.append(1)
        refcache.invalidate()  # a change lands while the old value is being read
        return "old"

    refcache.get("k", load)
    refcache.get("k", lambda: "new")
    assert refcache.get("k", lambda: "newer") == "new"


@pytest.mark.django_db(transaction=True)
def test_saving_a_watched_model_empties_the_cache_at_once():
    territory = Territory.objects.create(name="Pays", slug="pays")
    assert selectors.current_territory().name == "Pays"
    territory.name = "Pays renommé"
    territory.save()
    assert selectors.current_territory().name == "Pays renommé"
    territory.delete()
    assert selectors.current_territory() is None


@pytest.mark.django_db(transaction=True)
def test_no_query_once_warm_and_callers_get_copies(django_assert_num_queries):
    territory = Territory.objects.create(name="Pays", slug="pays")
    host = Organization.objects.create(territory=territory, kind="epci", name="Agglo", slug="a")
    territory.host_organization = host
    territory.save()
    first = selectors.current_territory()
    with django_assert_num_queries(0):
        second = selectors.current_territory()
        assert second.host_organization.name == "Agglo"
    first.name = "changed by a form, not saved"
    first.host_organization.name = "changed too"
    third = selectors.current_territory()
    assert (third.name, third.host_organization.name) == ("Pays", "Agglo")


@pytest.mark.django_db(transaction=True)
def test_uncommitted_changes_stay_in_their_transaction():
    territory = Territory.objects.create(name="Pays", slug="pays")
    assert selectors.current_territory().name == "Pays"
    with transaction.atomic():
        territory.name = "Pas encore"
        territory.save()
        # the writer sees its own change (it bypasses the cache)…
        assert selectors.current_territory().name == "Pas encore"
        # …and stores nothing another thread could read before the commit
        assert "territory.current" not in refcache._entries
        transaction.set_rollback(True)
    # rolled back: the next read is the committed row again
    assert selectors.current_territory().name == "Pays"
    with transaction.atomic():
        territory.name = "Validé"
        territory.save()
    assert selectors.current_territory().name == "Validé"
