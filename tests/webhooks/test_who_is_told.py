"""Only the subscribing organisation's schools, with sharing on, ever notify (issue 15)."""

from __future__ import annotations

from server.models import Account, Organisation, WebhookDelivery, YearGroupSettings
from server.models.enums import AccountStatus
from server.services.webhooks.delivery import DeliveryConfig, deliver_due
from server.services.webhooks.queue import enqueue_changes
from tests.factories import make_user
from tests.webhooks.world import hook, la_world, set_targets, share

FAST = DeliveryConfig(max_attempts=3, retry_seconds=0.0, timeout_seconds=3.0, development=True)


async def test_changes_elsewhere_or_in_year_groups_not_shared_tell_nothing(receiver):
    _la, _chain, school, quiet, officer = await la_world()
    _webhook, receiver.secret = await hook(officer, school, receiver.url)
    await set_targets(quiet, 10)  # another school of the LA that does not share
    await set_targets(school, 11)  # a year group of the school that does not share
    assert await enqueue_changes() == 0
    await share(school, 11)  # turning it on later does not tell of what came before
    assert await enqueue_changes() == 0
    await set_targets(school, 11, n=1)
    assert await enqueue_changes() == 1
    await deliver_due(FAST)
    [got] = receiver.received
    assert [y["yearGroup"] for y in got.json["yearGroups"]] == [11]


async def test_a_chain_is_told_only_of_what_the_school_shares_with_the_chain(receiver):
    _la, chain, school, _quiet, _officer = await la_world()
    await share(school, chain=True)
    trustee = await make_user(chain)
    _webhook, receiver.secret = await hook(trustee, school, receiver.url)
    await share(school, la=True, chain=False)  # the LA still sees it, the chain no longer
    await set_targets(school, 10)
    assert await enqueue_changes() == 0
    assert receiver.received == []


async def test_sharing_stopped_after_queueing_stops_the_delivery_at_send_time(receiver):
    _la, _chain, school, _quiet, officer = await la_world()
    _webhook, receiver.secret = await hook(officer, school, receiver.url)
    await set_targets(school)
    assert await enqueue_changes() == 1
    await YearGroupSettings.filter(school=school).update(aggregate_with_la=False)
    assert (await deliver_due(FAST)).counts["stopped"] == 1
    row = await WebhookDelivery.get()
    assert row.status == "stopped" and "no longer shares" in row.last_error
    assert receiver.received == []


async def test_a_school_that_leaves_the_la_or_an_account_that_leaves_stops_it(receiver):
    la, _chain, school, _quiet, officer = await la_world()
    _webhook, receiver.secret = await hook(officer, school, receiver.url)
    other_la = await Organisation.create(kind="local_authority", name="Elsewhere", la_code="998")
    await set_targets(school)
    await enqueue_changes()
    await Organisation.filter(id=school.id).update(local_authority_id=other_la.id)
    assert (await deliver_due(FAST)).counts["stopped"] == 1
    await Organisation.filter(id=school.id).update(local_authority_id=la.id)
    await set_targets(school, n=1)
    await enqueue_changes()
    await Account.filter(id=officer.id).update(status=AccountStatus.DEACTIVATED)
    assert (await deliver_due(FAST)).counts["stopped"] == 1
    assert receiver.received == []
