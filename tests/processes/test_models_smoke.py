"""The shared fixture builds a valid process (every domain's tests start from it)."""

from cocon.core.permissions import can


def test_fixture_process_is_public_and_managed_by_the_animateur(pworld):
    process = pworld.process
    assert [p.state() for p in pworld.phases] == ["past", "current", "future"]
    assert can(None, "processes.view", process)
    assert can(pworld["animateur"], "processes.manage", process)
    assert not can(pworld["agent"], "processes.manage", process)
    assert not can(pworld["admin_b"], "processes.manage", process)
    assert can(pworld["elu"], "processes.decide", process)
