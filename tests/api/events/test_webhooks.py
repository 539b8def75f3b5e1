"""Webhooks (SPEC 2.16): subscriptions, signed at-least-once delivery to a real local HTTP
server, retries with the same webhook-id, disabling after 24 h of failures, leases that
survive a killed process, the SSRF guard, the delivery log, manual retry and the test ping."""

from __future__ import annotations

import ipaddress
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks import Webhook

from app.db.session import transaction
from app.domain.events import feed
from app.domain.events.delivery import Deliverer, fan_out
from app.states.codes import Role
from app.states.delivery import MAX_ATTEMPTS, RETRY_DELAYS
from tests.support.dispatch_world import DispatchWorld
from tests.support.factories import API
from tests.support.webhook_receiver import webhook_receiver

WEBHOOKS = f"{API}/webhooks"


class Clock:
    """A clock the test moves forward."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def world(client: Any, auth: Any) -> DispatchWorld:
    return DispatchWorld(client, auth)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def deliverer(app: Any, db: Any, clock: Clock) -> Deliverer:
    # random_unit 0.5: the back-off without jitter, so the test knows when a try is due.
    return Deliverer(db.sessionmaker, app.state.cipher, clock=clock, random_unit=lambda: 0.5)


async def subscribe(client: Any, headers: dict[str, str], url: str, **body: Any) -> dict[str, Any]:
    response = await client.post(WEBHOOKS, json={"url": url, **body}, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def deliveries(client: Any, headers: dict[str, str], hook: dict[str, Any]) -> list[Any]:
    response = await client.get(f"{WEBHOOKS}/{hook['id']}/deliveries", headers=headers)
    assert response.status_code == 200, response.text
    items: list[Any] = response.json()["items"]
    return items


async def test_a_delivery_is_signed_per_standard_webhooks(world, client, deliverer):
    async with webhook_receiver(200) as receiver:
        hook = await subscribe(client, world.admin, receiver.url, types=["case.received"])
        assert hook["secret"].startswith("whsec_")
        case = await world.case(classify=False)
        assert await deliverer.run_once() == 1

    [request] = receiver.requests
    payload = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert payload["type"] == "case.received"
    assert payload["subject"] == {"type": "case", "id": case["id"]}
    assert request.headers["webhook-id"] == payload["id"]
    assert request.path == "/hooks/adr"
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43).verify(request.body, request.headers)
    [log] = await deliveries(client, world.admin, hook)
    assert log["status"] == "succeeded"
    assert log["attempts"] == 1
    assert log["last_status_code"] == 200
    # The secret is shown once: never again.
    read = await client.get(f"{WEBHOOKS}/{hook['id']}", headers=world.admin)
    assert "secret" not in read.json()


async def test_a_500_is_retried_with_the_same_webhook_id(world, client, deliverer, clock):
    async with webhook_receiver(500, 200) as receiver:
        hook = await subscribe(client, world.admin, receiver.url)
        await world.case(classify=False)
        assert await deliverer.run_once() == 1
        [log] = await deliveries(client, world.admin, hook)
        assert log["status"] == "pending"
        assert log["last_status_code"] == 500
        assert await deliverer.run_once() == 0  # not yet due
        clock.advance(RETRY_DELAYS[0] + timedelta(seconds=1))
        assert await deliverer.run_once() == 1

    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    Webhook(hook["secret"]).verify(second.body, second.headers)
    [log] = await deliveries(client, world.admin, hook)
    assert log["status"] == "succeeded"
    assert log["attempts"] == 2


async def test_an_endpoint_failing_for_24_hours_is_disabled(world, client, deliverer, clock):
    async with webhook_receiver(503) as receiver:
        hook = await subscribe(client, world.admin, receiver.url, types=["case.received"])
        await world.case(classify=False)
        await deliverer.run_once()
        for delay in RETRY_DELAYS:
            clock.advance(delay + timedelta(seconds=1))
            await deliverer.run_once()

    assert len(receiver.requests) == MAX_ATTEMPTS
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    [log] = await deliveries(client, world.admin, hook)
    assert log["status"] == "failed"
    assert log["attempts"] == MAX_ATTEMPTS
    assert log["next_attempt_at"] is None
    read = (await client.get(f"{WEBHOOKS}/{hook['id']}", headers=world.admin)).json()
    assert read["active"] is False
    assert read["disabled_reason"] == "failing_for_24_hours"
    feed = await client.get(
        f"{API}/events", params={"types": "webhook.disabled"}, headers=world.admin
    )
    [event] = feed.json()["items"]
    assert event["subject"] == {"type": "webhook", "id": hook["id"]}
    # A disabled endpoint gets nothing more, and a retry asks for it to be resumed first.
    retry = await client.post(
        f"{WEBHOOKS}/{hook['id']}/deliveries/{log['id']}/retry", headers=world.admin
    )
    assert retry.status_code == 409
    assert retry.json()["code"] == "webhook_inactive"


async def test_a_success_ends_the_run_of_failures(world, client, deliverer, clock):
    async with webhook_receiver(500, 500, 200) as receiver:
        hook = await subscribe(client, world.admin, receiver.url, types=["case.received"])
        await world.case(classify=False)
        await deliverer.run_once()
        failing = (await client.get(f"{WEBHOOKS}/{hook['id']}", headers=world.admin)).json()
        assert failing["failing_since"] is not None
        for delay in RETRY_DELAYS[:2]:
            clock.advance(delay + timedelta(seconds=1))
            await deliverer.run_once()
    read = (await client.get(f"{WEBHOOKS}/{hook['id']}", headers=world.admin)).json()
    assert read["failing_since"] is None
    assert read["active"] is True
    assert len(receiver.requests) == 3


async def test_a_delivery_claimed_by_a_killed_process_is_delivered_by_another(
    world, client, app, db, clock
):
    async with webhook_receiver(200) as receiver:
        hook = await subscribe(client, world.admin, receiver.url, types=["case.received"])
        await world.case(classify=False)
        killed = Deliverer(db.sessionmaker, app.state.cipher, clock=clock)
        # The process claims the delivery (its lease is committed) and dies before sending.
        async with transaction(db.sessionmaker) as session:
            await feed.relay(session)
        async with transaction(db.sessionmaker) as session:
            await fan_out(session, now=clock())
        async with transaction(db.sessionmaker) as session:
            assert len(await killed._claim(session)) == 1
        [log] = await deliveries(client, world.admin, hook)
        assert log["status"] == "delivering"

        restarted = Deliverer(db.sessionmaker, app.state.cipher, clock=clock)
        assert await restarted.run_once() == 0  # the lease still holds
        clock.advance(killed.lease + timedelta(seconds=1))
        assert await restarted.run_once() == 1
    assert len(receiver.requests) == 1
    [log] = await deliveries(client, world.admin, hook)
    assert log["status"] == "succeeded"


async def test_a_pending_delivery_survives_a_restart(world, client, app, db):
    async with webhook_receiver(200) as receiver:
        hook = await subscribe(client, world.admin, receiver.url)
        ping = await client.post(f"{WEBHOOKS}/{hook['id']}/test", headers=world.admin)
        assert ping.status_code == 202
        assert ping.json()["status"] == "pending"
        # A new process (a fresh deliverer, nothing in memory) finds it in the database.
        assert await Deliverer(db.sessionmaker, app.state.cipher).run_once() == 1
    [request] = receiver.requests
    body = Webhook(hook["secret"]).verify(request.body, request.headers)
    assert body["type"] == "webhook.test"
    assert request.headers["webhook-id"] == ping.json()["event_id"]


async def test_a_manual_retry_sends_again_with_the_same_id(world, client, deliverer, clock):
    async with webhook_receiver(200) as receiver:
        hook = await subscribe(client, world.admin, receiver.url, types=["case.received"])
        await world.case(classify=False)
        await deliverer.run_once()
        [log] = await deliveries(client, world.admin, hook)
        retry = await client.post(
            f"{WEBHOOKS}/{hook['id']}/deliveries/{log['id']}/retry", headers=world.admin
        )
        assert retry.status_code == 200
        assert retry.json()["status"] == "pending"
        clock.advance(timedelta(minutes=1))  # the retry is due "now" by the wall clock
        await deliverer.run_once()
    assert [r.headers["webhook-id"] for r in receiver.requests] == [log["event_id"]] * 2
    missing = await client.post(
        f"{WEBHOOKS}/{hook['id']}/deliveries/{hook['id']}/retry", headers=world.admin
    )
    assert missing.status_code == 404


async def test_events_go_only_to_matching_active_subscriptions(world, client, deliverer):
    async with webhook_receiver(200) as receiver:
        wanted = await subscribe(client, world.admin, receiver.url, types=["case.classified"])
        paused = await subscribe(client, world.admin, receiver.url)
        patched = await client.patch(
            f"{WEBHOOKS}/{paused['id']}", json={"active": False}, headers=world.admin
        )
        assert patched.status_code == 200
        assert patched.json()["active"] is False
        await world.case()  # received, then classified
        await deliverer.run_once()
    assert [json.loads(r.body)["type"] for r in receiver.requests] == ["case.classified"]
    assert await deliveries(client, world.admin, paused) == []
    assert len(await deliveries(client, world.admin, wanted)) == 1


async def test_delivery_refuses_a_name_that_now_resolves_to_metadata(world, client, app, db):
    addresses = {"hooks.center.example": ["127.0.0.1"]}

    async def resolver(host: str, port: int) -> list[str]:
        return addresses[host]

    app.state.webhook_resolver = resolver
    async with webhook_receiver(200) as receiver:
        hook = await subscribe(
            client, world.admin, f"http://hooks.center.example:{receiver.port}/in"
        )
        addresses["hooks.center.example"] = ["169.254.169.254"]  # DNS rebinding
        await client.post(f"{WEBHOOKS}/{hook['id']}/test", headers=world.admin)
        refusing = Deliverer(db.sessionmaker, app.state.cipher, resolver=resolver)
        await refusing.run_once()
        assert receiver.requests == []
        [log] = await deliveries(client, world.admin, hook)
        assert log["status"] == "pending"
        assert "169.254.169.254" in log["last_error"]
        # Resolving to the intranet again, it is delivered to the checked address.
        addresses["hooks.center.example"] = ["127.0.0.1"]
        await client.post(
            f"{WEBHOOKS}/{hook['id']}/deliveries/{log['id']}/retry", headers=world.admin
        )
        await refusing.run_once()
    [request] = receiver.requests
    assert request.headers["host"] == f"hooks.center.example:{receiver.port}"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254"),
        ("http://[fe80::1]/hook", "fe80::1"),
        ("http://100.100.100.200/", "100.100.100.200"),
        ("ftp://127.0.0.1/hook", "http"),
        ("http://user:pw@127.0.0.1/hook", "credentials"),
    ],
)
async def test_unsafe_urls_are_refused_at_registration(client, auth, url, why):
    response = await client.post(WEBHOOKS, json={"url": url}, headers=auth(Role.ADMIN))
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert error["field"] == "url"
    assert why in error["message"] or error["code"] == "string_pattern_mismatch"


async def test_the_allow_list_limits_where_webhooks_go(app, client, auth):
    app.state.settings = app.state.settings.model_copy(
        update={"webhook_allowed_networks": [ipaddress.ip_network("10.0.0.0/8")]}
    )
    outside = await client.post(
        WEBHOOKS, json={"url": "http://127.0.0.1:9/x"}, headers=auth(Role.ADMIN)
    )
    assert outside.status_code == 422
    assert "ADR_WEBHOOK_ALLOWED_NETWORKS" in outside.json()["errors"][0]["message"]
    inside = await client.post(
        WEBHOOKS, json={"url": "http://10.1.2.3:8080/x"}, headers=auth(Role.ADMIN)
    )
    assert inside.status_code == 201


async def test_subscriptions_crud_and_who_may(client, auth, world):
    admin = auth(Role.ADMIN)
    hook = await subscribe(client, admin, "http://127.0.0.1:9/a", description="中心系统")
    assert hook["types"] == []
    assert hook["active"] is True
    listed = await client.get(WEBHOOKS, headers=admin)
    assert [h["id"] for h in listed.json()["items"]] == [hook["id"]]
    changed = await client.patch(
        f"{WEBHOOKS}/{hook['id']}",
        json={"url": "http://127.0.0.1:9/b", "types": ["case.closed"]},
        headers=admin,
    )
    assert changed.json()["url"] == "http://127.0.0.1:9/b"
    assert changed.json()["types"] == ["case.closed"]
    for role in (Role.CENTER_COORDINATOR, Role.SUPERVISOR, Role.AGENCY_OFFICER, Role.LAWYER):
        assert (await client.get(WEBHOOKS, headers=auth(role))).status_code == 403
    assert (await client.delete(f"{WEBHOOKS}/{hook['id']}", headers=admin)).status_code == 204
    assert (await client.get(f"{WEBHOOKS}/{hook['id']}", headers=admin)).status_code == 404
    audit = await world.audit(object_type="webhook")
    assert {"webhook.create", "webhook.update", "webhook.delete"} <= {a["action"] for a in audit}
    assert all("whsec_" not in json.dumps(a) for a in audit)
