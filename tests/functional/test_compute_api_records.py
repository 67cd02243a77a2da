"""The record layer under the Compute API: quota atomicity, instances, flavors, key pairs."""

from __future__ import annotations

import datetime
import threading

import pytest

from novalite.common import exception
from novalite.common import instance_states as states
from novalite.common.context import RequestContext
from novalite.db import flavors, instances, keypairs, quotas

ADMIN = RequestContext(user_id="admin", project_id="adminproj", roles=["admin", "member",
                                                                      "reader"])
USER_A = RequestContext(user_id="ua", project_id="proja", roles=["member", "reader"])
USER_B = RequestContext(user_id="ub", project_id="projb", roles=["member", "reader"])


def _values(ctxt: RequestContext, **extra: object) -> dict[str, object]:
    values: dict[str, object] = {"project_id": ctxt.project_id, "user_id": ctxt.user_id,
                                 "vcpus": 1, "memory_mb": 128, "root_gb": 1,
                                 "display_name": "vm", "instance_type_id": "1",
                                 "flavor": {"name": "m1.tiny"}}
    values.update(extra)
    return values


def test_concurrent_creates_never_exceed_quota(db: str) -> None:
    quotas.update("proja", {"instances": 5})
    barrier = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def create() -> None:
        barrier.wait()
        try:
            instances.create_instances(USER_A, [_values(USER_A)])
            result = "ok"
        except exception.OverQuota:
            result = "over"
        except Exception as error:  # noqa: BLE001 - recorded and asserted below
            result = f"error: {error!r}"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=create) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(set(outcomes)) == ["ok", "over"], outcomes
    assert outcomes.count("ok") == 5
    assert quotas.usage("proja")["instances"] == 5
    assert len(instances.list_instances(USER_A)) == 5


def test_quota_counts_cores_and_ram_and_frees_on_delete(db: str) -> None:
    quotas.update("proja", {"cores": 3, "ram": 1000})
    created = instances.create_instances(USER_A, [_values(USER_A, vcpus=2, memory_mb=500)])
    with pytest.raises(exception.OverQuota) as error:
        instances.create_instances(USER_A, [_values(USER_A, vcpus=2, memory_mb=100)])
    assert "cores" in error.value.message
    assert error.value.code == 403
    instances.soft_delete(USER_A, created[0]["uuid"])
    instances.create_instances(USER_A, [_values(USER_A, vcpus=2, memory_mb=500)])
    used = quotas.usage("proja")
    assert (used["instances"], used["cores"], used["ram"]) == (1, 2, 500)


def test_instance_get_is_project_scoped(db: str) -> None:
    (created,) = instances.create_instances(USER_A, [_values(
        USER_A, metadata={"k": "v"}, tags=["t1", "t2"])])
    assert created["vm_state"] == states.BUILDING
    assert created["task_state"] == states.SCHEDULING
    assert created["status"] == "BUILD"
    assert created["metadata"] == {"k": "v"}
    assert created["tags"] == ["t1", "t2"]
    assert created["flavor"] == {"name": "m1.tiny"}
    assert instances.get(ADMIN, created["uuid"])["uuid"] == created["uuid"]
    with pytest.raises(exception.InstanceNotFound):
        instances.get(USER_B, created["uuid"])
    with pytest.raises(exception.InstanceNotFound):
        instances.update(USER_B, created["uuid"], {"display_name": "x"})


def test_update_compare_and_swap(db: str) -> None:
    (created,) = instances.create_instances(USER_A, [_values(USER_A)])
    uuid = created["uuid"]
    updated = instances.update(None, uuid, {"vm_state": states.ACTIVE, "task_state": None,
                                            "power_state": states.RUNNING},
                               expected_task_state=[states.SCHEDULING, None])
    assert updated["status"] == "ACTIVE"
    with pytest.raises(exception.UnexpectedStateError) as error:
        instances.update(None, uuid, {"task_state": states.REBOOTING},
                         expected_task_state=states.SCHEDULING)
    assert error.value.code == 409
    with pytest.raises(exception.UnexpectedStateError):
        instances.update(None, uuid, {"task_state": states.REBOOTING},
                         expected_vm_state=states.STOPPED)
    assert instances.get(None, uuid)["task_state"] is None
    rebooting = instances.update(None, uuid, {"task_state": states.REBOOTING_HARD},
                                 expected_task_state=None, expected_vm_state=states.ACTIVE)
    assert rebooting["status"] == "HARD_REBOOT"
    metadata = instances.update(None, uuid, {"metadata": {"a": "1"}})["metadata"]
    assert metadata == {"a": "1"}


def test_concurrent_compare_and_swap_has_one_winner(db: str) -> None:
    (created,) = instances.create_instances(USER_A, [_values(USER_A)])
    instances.update(None, created["uuid"], {"vm_state": states.ACTIVE, "task_state": None})
    barrier = threading.Barrier(6)
    wins: list[int] = []

    def reboot() -> None:
        barrier.wait()
        try:
            instances.update(None, created["uuid"], {"task_state": states.REBOOTING},
                             expected_task_state=None)
            wins.append(1)
        except exception.UnexpectedStateError:
            pass

    threads = [threading.Thread(target=reboot) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(wins) == 1


def test_list_filters_sort_and_pages(db: str) -> None:
    made = []
    for index in range(5):
        made.extend(instances.create_instances(USER_A, [_values(
            USER_A, display_name=f"web-{index}", host="h1" if index % 2 else "h2")]))
    instances.create_instances(USER_B, [_values(USER_B, display_name="web-b")])
    instances.update(None, made[0]["uuid"], {"vm_state": states.ACTIVE, "task_state": None})
    instances.update(None, made[1]["uuid"], {"vm_state": states.ACTIVE,
                                             "task_state": states.REBOOTING})
    names = [i["display_name"] for i in instances.list_instances(
        USER_A, sort_keys=["display_name"], sort_dirs=["asc"])]
    assert names == [f"web-{i}" for i in range(5)]
    assert [i["display_name"] for i in instances.list_instances(
        USER_A, {"name": "web-[12]"}, sort_keys=["display_name"], sort_dirs=["asc"])] == [
        "web-1", "web-2"]
    assert [i["uuid"] for i in instances.list_instances(USER_A, {"status": "ACTIVE"})] == [
        made[0]["uuid"]]
    assert [i["uuid"] for i in instances.list_instances(USER_A, {"status": ["REBOOT"]})] == [
        made[1]["uuid"]]
    assert len(instances.list_instances(USER_A, {"status": "BUILD"})) == 3
    assert len(instances.list_instances(USER_A, {"host": "h1"})) == 2
    assert len(instances.list_instances(ADMIN, all_tenants=True)) == 6
    assert instances.list_instances(ADMIN) == []
    pages: list[str] = []
    marker = None
    while True:
        page = instances.list_instances(USER_A, sort_keys=["host", "display_name"],
                                        sort_dirs=["asc", "desc"], limit=2, marker=marker)
        if not page:
            break
        pages.extend(i["display_name"] for i in page)
        marker = page[-1]["uuid"]
    assert pages == ["web-3", "web-1", "web-4", "web-2", "web-0"]
    before = datetime.datetime(2000, 1, 1)
    instances.soft_delete(USER_A, made[4]["uuid"])
    assert len(instances.list_instances(USER_A)) == 4
    assert len(instances.list_instances(USER_A, {"deleted": True})) == 1
    assert len(instances.list_instances(USER_A, {"changes-since": before})) == 5
    with pytest.raises(exception.InstanceNotFound):
        instances.get(USER_A, made[4]["uuid"])
    with pytest.raises(exception.Invalid):
        instances.list_instances(USER_A, {"name": "("})


def test_faults_and_actions(db: str) -> None:
    (created,) = instances.create_instances(USER_A, [_values(USER_A)])
    uuid = created["uuid"]
    instances.add_fault(uuid, 500, "No valid host was found.", details="trace", host="h1")
    assert instances.get(USER_A, uuid)["fault"]["message"] == "No valid host was found."
    instances.action_start(USER_A, uuid, "create", request_id="req-1")
    instances.event_start(uuid, "req-1", "compute__do_build_and_run_instance", host="h1")
    instances.event_finish(uuid, "req-1", "compute__do_build_and_run_instance", "Error", "tb")
    instances.action_finish(uuid, "req-1")
    instances.action_start(USER_A, uuid, "reboot", request_id="req-2")
    listed = instances.list_actions(uuid)
    assert [a["action"] for a in listed] == ["reboot", "create"]
    assert [a["action"] for a in instances.list_actions(uuid, marker="req-2")] == ["create"]
    action = instances.get_action(uuid, "req-1")
    assert action["message"] == "Error"
    assert action["finish_time"] is not None
    assert [(e["event"], e["result"]) for e in action["events"]] == [
        ("compute__do_build_and_run_instance", "Error")]
    with pytest.raises(exception.InstanceActionNotFound):
        instances.get_action(uuid, "req-none")


def test_default_flavors_idempotent_and_private_access(db: str) -> None:
    flavors.ensure_default_flavors()
    flavors.ensure_default_flavors()
    listed = flavors.list_flavors(USER_A)
    assert [(f["flavorid"], f["name"], f["vcpus"], f["memory_mb"], f["root_gb"])
            for f in listed] == [("1", "m1.tiny", 1, 128, 1), ("2", "m1.small", 1, 256, 2),
                                 ("3", "m1.medium", 2, 512, 5)]
    flavors.create("private", 64, 1, 0, flavorid="p1", is_public=False)
    with pytest.raises(exception.FlavorNotFound):
        flavors.get("p1", USER_A)
    flavors.add_access("p1", "proja")
    assert flavors.get("p1", USER_A)["name"] == "private"
    assert "p1" in [f["flavorid"] for f in flavors.list_flavors(USER_A)]
    assert "p1" not in [f["flavorid"] for f in flavors.list_flavors(USER_B)]
    assert [f["flavorid"] for f in flavors.list_flavors(ADMIN, is_public=False)] == ["p1"]
    with pytest.raises(exception.FlavorExists):
        flavors.create("private", 64, 1, 0)


def test_keypair_quota_and_duplicates(db: str) -> None:
    quotas.update("proja", {"key_pairs": 1})
    keypairs.create("ua", "k1", "ssh-rsa AAAA", "aa:bb", project_id="proja")
    with pytest.raises(exception.KeyPairExists):
        keypairs.create("ua", "k1", "ssh-rsa AAAA", "aa:bb", project_id="proja")
    with pytest.raises(exception.OverQuota):
        keypairs.create("ua", "k2", "ssh-rsa AAAA", "aa:bb", project_id="proja")


def test_changes_since_and_before_compare_at_the_shown_second(db: str) -> None:
    """The API shows updated_at to the second; a server (and an action) updated at
    12:00:00.5 shows 12:00:00, so both bounds at 12:00:00 include it (Nova: since is
    >=, before is <=), a bound later in that second or in the second before does not."""
    import sqlalchemy as sa

    from novalite.db import api as db_api
    from novalite.db.compute_models import Instance, InstanceAction

    (created,) = instances.create_instances(USER_A, [_values(USER_A)])
    uuid = created["uuid"]
    instances.action_start(USER_A, uuid, "reboot", request_id="req-1")
    changed = datetime.datetime(2030, 1, 1, 12, 0, 0, 500000)
    with db_api.session_scope() as session:
        session.execute(sa.update(Instance).where(Instance.uuid == uuid)
                        .values(updated_at=changed))
        session.execute(sa.update(InstanceAction).where(InstanceAction.instance_uuid == uuid)
                        .values(updated_at=changed))
    shown = datetime.datetime(2030, 1, 1, 12, 0, 0)
    cases = [({"changes-since": shown}, True), ({"changes-before": shown}, True),
             ({"changes-since": shown, "changes-before": shown}, True),
             ({"changes-since": shown.replace(microsecond=200000)}, False),
             ({"changes-before": shown - datetime.timedelta(microseconds=1)}, False)]
    for filters, found in cases:
        listed = [i["uuid"] for i in instances.list_instances(USER_A, dict(filters))]
        assert listed == ([uuid] if found else []), filters
        actions = instances.list_actions(uuid, changes_since=filters.get("changes-since"),
                                         changes_before=filters.get("changes-before"))
        assert len(actions) == int(found), filters
