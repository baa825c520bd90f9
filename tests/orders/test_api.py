"""The ingestion API (/api/publish, /api/views): token auth, all-or-nothing batches, per-item
errors, conflicts, the request log and refused publish events kept for operators (DESIGN §5)."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from orders import services
from orders.models import (
    ApiRequestLog,
    Boost,
    BoostEvent,
    IntegrationToken,
    OrderLine,
    PublishRejection,
    ViewSnapshot,
)
from settlements import services as settlement_services
from tests import factories
from tests.factories import T0, StaffUserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
SECOND = timedelta(seconds=1)
SKEW = services.CLOCK_SKEW
LOG = ApiRequestLog._meta.label
REJECTIONS = PublishRejection._meta.label


def call(client, endpoint, body, token: str | None, *, raw_body: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post(
        reverse(f"api:{endpoint}"),
        data=raw_body if raw_body is not None else json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def published_boost(video_id: str, at=T0) -> Boost:
    return factories.publish(factories.boost(), at=at, video_id=video_id)


def snapshot(video_id="v1", at=T0 + timedelta(hours=1), views=100) -> dict:
    return {"video_id": video_id, "observed_at": at.isoformat(), "views": views}


def event(boost: Boost, at, video_id: str | None = None) -> dict:
    return {
        "line": boost.line_id,
        "video_id": video_id or f"video-{boost.pk}",
        "published_at": at.isoformat(),
    }


def without(counts: dict, *labels: str) -> dict:
    return {label: n for label, n in counts.items() if label not in labels}


# --- Tokens and authentication -----------------------------------------------------------------


@pytest.mark.parametrize("case", ["missing", "wrong", "inactive", "not bearer"])
def test_request_without_a_valid_token_is_401_writes_nothing_but_its_log(client, clock, case):
    published_boost("v1")
    token, raw = services.create_integration_token(name="old", now=T0)
    if case == "inactive":
        IntegrationToken.objects.filter(pk=token.pk).update(is_active=False)
    before = factories.row_counts()
    sent = {"missing": None, "wrong": raw + "x", "inactive": raw, "not bearer": raw}[case]
    headers = {"Authorization": f"Basic {raw}"} if case == "not bearer" else {}
    response = (
        client.post(
            reverse("api:views"),
            data=json.dumps({"snapshots": [snapshot()]}),
            content_type="application/json",
            headers=headers,
        )
        if case == "not bearer"
        else call(client, "views", {"snapshots": [snapshot()]}, sent)
    )
    assert response.status_code == 401
    assert "error" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")
    after = factories.row_counts()
    assert without(after, LOG) == without(before, LOG)
    assert after[LOG] == before[LOG] + 1
    log = ApiRequestLog.objects.get()
    assert (log.status_code, log.token_id, log.path) == (401, None, "/api/views")
    assert IntegrationToken.objects.get(pk=token.pk).last_used_at is None


def test_token_is_stored_hashed_and_the_raw_token_nowhere(clock):
    token, raw = services.create_integration_token(name="pipeline", now=T0)
    row = IntegrationToken.objects.filter(pk=token.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert row["prefix"] == raw[:8]
    assert all(raw not in str(value) for value in row.values())


def test_a_valid_token_is_stamped_with_its_last_use(client, clock, raw_token):
    clock.move_to(T0 + timedelta(hours=2))
    assert call(client, "views", {"snapshots": []}, raw_token).status_code == 200
    assert IntegrationToken.objects.get().last_used_at == T0 + timedelta(hours=2)


def test_only_post_is_allowed(client, clock, raw_token):
    response = client.get(reverse("api:views"), headers={"Authorization": f"Bearer {raw_token}"})
    assert response.status_code == 405
    assert response["Allow"] == "POST"


# --- Request log -------------------------------------------------------------------------------


def test_every_request_leaves_one_log_row_with_its_status(client, clock, raw_token, settings):
    published_boost("v1")
    settings.INGEST_MAX_BATCH = 2
    clock.move_to(T0 + timedelta(days=1))
    statuses = [
        call(client, "views", {"snapshots": [snapshot()]}, raw_token).status_code,
        call(client, "views", {"snapshots": [snapshot(views=-1)]}, raw_token).status_code,
        call(client, "views", {"snapshots": [snapshot(views=7)]}, raw_token).status_code,
        call(client, "views", {"snapshots": [snapshot()] * 3}, raw_token).status_code,
        call(client, "views", {"snapshots": []}, "nope").status_code,
        call(client, "publish", None, raw_token, raw_body="{").status_code,
    ]
    assert statuses == [200, 400, 409, 413, 401, 400]
    logs = list(ApiRequestLog.objects.order_by("id"))
    assert [log.status_code for log in logs] == statuses
    assert [log.item_count for log in logs] == [1, 1, 1, 3, 0, 0]
    assert [log.path for log in logs] == ["/api/views"] * 5 + ["/api/publish"]
    assert all(log.token is not None for i, log in enumerate(logs) if i != 4)
    assert logs[0].error == ""
    assert "#0" in logs[1].error and "whole number" in logs[1].error
    assert all(log.received_at == T0 + timedelta(days=1) for log in logs)


def test_the_request_log_keeps_the_request_id_the_logs_carry(client, clock, raw_token):
    published_boost("v1")
    clock.move_to(T0 + timedelta(days=1))
    response = client.post(
        reverse("api:views"),
        json.dumps({"snapshots": [snapshot()]}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw_token}", "X-Request-ID": "pipeline-run-42"},
    )
    assert response.status_code == 200
    assert response["X-Request-ID"] == "pipeline-run-42"
    assert ApiRequestLog.objects.get().request_id == "pipeline-run-42"


def test_a_crash_is_logged_as_500_and_raised(client, clock, raw_token, monkeypatch):
    def crash(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "record_views", crash)
    with pytest.raises(RuntimeError):
        call(client, "views", {"snapshots": []}, raw_token)
    log = ApiRequestLog.objects.get()
    assert log.status_code == 500
    assert "database went away" in log.error


# --- View snapshots ----------------------------------------------------------------------------


def test_views_batch_is_stored_and_a_repeat_changes_nothing(client, clock, raw_token):
    published_boost("v1")
    clock.move_to(T0 + timedelta(days=1))
    batch = {"snapshots": [snapshot(views=100), snapshot(at=T0 + timedelta(hours=2), views=250)]}
    response = call(client, "views", batch, raw_token)
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "new": 2}
    before = factories.row_counts()
    response = call(client, "views", batch, raw_token)
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "new": 0}
    assert without(factories.row_counts(), LOG) == without(before, LOG)
    assert sorted(ViewSnapshot.objects.values_list("views", flat=True)) == [100, 250]


def test_same_instant_in_another_offset_is_the_same_snapshot(client, clock, raw_token):
    published_boost("v1")
    clock.move_to(T0 + timedelta(days=1))
    at = T0 + timedelta(hours=1)
    utc = at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    call(client, "views", {"snapshots": [snapshot(at=at)]}, raw_token)
    response = call(
        client,
        "views",
        {"snapshots": [{"video_id": "v1", "observed_at": utc, "views": 100}]},
        raw_token,
    )
    assert response.json() == {"accepted": 1, "new": 0}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (snapshot(video_id="nope"), "Unknown video"),
        (snapshot(views=-1), "whole number"),
        (snapshot(views=1.5), "whole number"),
        (snapshot(views="12"), "whole number"),
        (snapshot(views=True), "whole number"),
        (snapshot(views=2**63), "too large"),
        (snapshot(at=T0 + timedelta(days=1) + SKEW + SECOND), "future"),
        ({"video_id": "v1", "views": 1}, "“observed_at” is required"),
        ({"video_id": "v1", "observed_at": "yesterday", "views": 1}, "ISO 8601"),
        ({"video_id": "v1", "observed_at": "2026-03-10T10:00:00", "views": 1}, "UTC offset"),
        ({"observed_at": T0.isoformat(), "views": 1}, "“video_id” is required"),
        ({"video_id": "", "observed_at": T0.isoformat(), "views": 1}, "“video_id” must be"),
        ({"video_id": "v1", "observed_at": T0.isoformat()}, "“views” is required"),
        (["v1", T0.isoformat(), 1], "JSON object"),
    ],
)
def test_a_bad_snapshot_refuses_the_batch_with_its_index(client, clock, raw_token, item, message):
    published_boost("v1")
    clock.move_to(T0 + timedelta(days=1))
    before = factories.row_counts()
    response = call(client, "views", {"snapshots": [snapshot(), item]}, raw_token)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["1"]
    assert message in " ".join(errors["1"])
    assert without(factories.row_counts(), LOG) == without(before, LOG)


def test_a_snapshot_within_the_clock_skew_is_accepted(client, clock, raw_token):
    published_boost("v1")
    clock.move_to(T0 + timedelta(days=1))
    batch = {"snapshots": [snapshot(at=T0 + timedelta(days=1) + SKEW)]}
    assert call(client, "views", batch, raw_token).json() == {"accepted": 1, "new": 1}


def test_a_different_count_for_a_stored_instant_is_a_409_conflict(client, clock, raw_token):
    published_boost("v1")
    clock.move_to(T0 + timedelta(days=1))
    call(client, "views", {"snapshots": [snapshot(views=100)]}, raw_token)
    before = factories.row_counts()
    batch = {"snapshots": [snapshot(at=T0 + timedelta(hours=3), views=5), snapshot(views=101)]}
    response = call(client, "views", batch, raw_token)
    assert response.status_code == 409
    assert list(response.json()["errors"]) == ["1"]
    assert "stored count 100" in response.json()["errors"]["1"][0]
    assert without(factories.row_counts(), LOG) == without(before, LOG)


def test_a_conflict_beside_an_invalid_item_is_a_400(client, clock, raw_token):
    published_boost("v1")
    clock.move_to(T0 + timedelta(days=1))
    call(client, "views", {"snapshots": [snapshot(views=100)]}, raw_token)
    batch = {"snapshots": [snapshot(views=101), snapshot(video_id="nope")]}
    response = call(client, "views", batch, raw_token)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["0", "1"]


def test_two_counts_for_one_instant_in_one_batch_are_refused(client, clock, raw_token):
    published_boost("v1")
    clock.move_to(T0 + timedelta(days=1))
    response = call(client, "views", {"snapshots": [snapshot(), snapshot(views=1)]}, raw_token)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["1"]
    assert ViewSnapshot.objects.count() == 0


@pytest.mark.parametrize(
    "raw_body",
    ["{", "not json", "[]", '{"snapshots": {}}', '{"events": []}', '"snapshots"', "\xff"],
)
def test_a_malformed_body_is_a_400_and_writes_nothing(client, clock, raw_token, raw_body):
    before = factories.row_counts()
    response = call(client, "views", None, raw_token, raw_body=raw_body)
    assert response.status_code == 400
    assert "error" in response.json()
    assert without(factories.row_counts(), LOG) == without(before, LOG)


def test_a_batch_over_the_limit_is_a_413_and_writes_nothing(client, clock, raw_token, settings):
    published_boost("v1")
    settings.INGEST_MAX_BATCH = 2
    clock.move_to(T0 + timedelta(days=1))
    items = [snapshot(at=T0 + timedelta(minutes=n)) for n in range(3)]
    response = call(client, "views", {"snapshots": items}, raw_token)
    assert response.status_code == 413
    assert "At most 2" in response.json()["error"]
    assert ViewSnapshot.objects.count() == 0
    assert call(client, "views", {"snapshots": items[:2]}, raw_token).status_code == 200


def test_the_batch_limit_defaults_to_ten_thousand(settings):
    from starboost import settings as project_settings

    assert project_settings.INGEST_MAX_BATCH == 10_000


# --- Publish events ----------------------------------------------------------------------------


def test_publish_batch_starts_each_boost_window(client, clock, raw_token):
    first, second = factories.boost(), factories.boost()
    clock.move_to(T0 + timedelta(days=2))
    batch = {"events": [event(first, T0 + timedelta(days=1)), event(second, T0)]}
    response = call(client, "publish", batch, raw_token)
    assert response.status_code == 200
    assert response.json() == {"accepted": 2, "new": 2}
    first.refresh_from_db()
    assert first.status == Boost.Status.ACTIVE
    assert first.window_end == T0 + timedelta(days=15)
    assert OrderLine.objects.get(pk=first.line_id).platform_video_id == f"video-{first.pk}"
    assert Boost.objects.get(pk=second.pk).status == Boost.Status.ACTIVE


def test_a_repeated_publish_batch_is_accepted_and_changes_nothing(client, clock, raw_token):
    boost = factories.boost()
    clock.move_to(T0 + timedelta(days=2))
    batch = {"events": [event(boost, T0 + timedelta(days=1))]}
    call(client, "publish", batch, raw_token)
    before = factories.row_counts()
    response = call(client, "publish", batch, raw_token)
    assert response.status_code == 200
    assert response.json() == {"accepted": 1, "new": 0}
    assert without(factories.row_counts(), LOG) == without(before, LOG)


@pytest.mark.parametrize("when", ["placed_at", "last second"])
def test_publish_at_the_edges_of_validity_is_accepted(client, clock, raw_token, when):
    boost = factories.boost()
    at = T0 if when == "placed_at" else boost.valid_until - SECOND
    clock.move_to(boost.valid_until)
    response = call(client, "publish", {"events": [event(boost, at)]}, raw_token)
    assert response.status_code == 200
    boost.refresh_from_db()
    assert (boost.status, boost.window_start) == (Boost.Status.ACTIVE, at)
    assert PublishRejection.objects.count() == 0


def test_publish_at_valid_until_is_refused_and_shown_to_operators(client, clock, raw_token):
    boost = factories.boost()
    clock.move_to(boost.valid_until + timedelta(hours=1))
    before = factories.row_counts()
    batch = {"events": [event(boost, boost.valid_until, video_id="late")]}
    response = call(client, "publish", batch, raw_token)
    assert response.status_code == 400
    assert "too late" in response.json()["errors"]["0"][0]
    after = factories.row_counts()
    assert without(after, LOG, REJECTIONS) == without(before, LOG, REJECTIONS)
    rejection = PublishRejection.objects.get()
    assert (rejection.line_id, rejection.video_id) == (boost.line_id, "late")
    assert rejection.published_at == boost.valid_until
    assert "too late" in rejection.reason
    assert rejection.token == IntegrationToken.objects.get()
    assert rejection.received_at == boost.valid_until + timedelta(hours=1)
    assert OrderLine.objects.get(pk=boost.line_id).published_at is None
    assert Boost.objects.get(pk=boost.pk).status == Boost.Status.AWAITING_PUBLISH


def test_publish_for_an_expired_boost_is_refused_and_shown_to_operators(client, clock, raw_token):
    boost = factories.boost()
    settlement_services.expire(boost=boost, now=boost.valid_until)
    clock.move_to(boost.valid_until + timedelta(days=1))
    batch = {"events": [event(boost, boost.valid_until - timedelta(days=1))]}
    response = call(client, "publish", batch, raw_token)
    assert response.status_code == 400
    assert "not awaiting publish" in response.json()["errors"]["0"][0]
    assert PublishRejection.objects.get().line_id == boost.line_id
    assert Boost.objects.get(pk=boost.pk).status == Boost.Status.EXPIRED


def test_one_refused_event_rolls_back_the_whole_batch(client, clock, raw_token):
    good, late = factories.boost(), factories.boost()
    clock.move_to(late.valid_until)
    before = factories.row_counts()
    batch = {"events": [event(good, T0 + timedelta(days=1)), event(late, late.valid_until)]}
    response = call(client, "publish", batch, raw_token)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["1"]
    after = factories.row_counts()
    assert without(after, LOG, REJECTIONS) == without(before, LOG, REJECTIONS)
    assert after[REJECTIONS] == before[REJECTIONS] + 1
    assert OrderLine.objects.get(pk=good.line_id).published_at is None
    assert Boost.objects.get(pk=good.pk).status == Boost.Status.AWAITING_PUBLISH
    assert not BoostEvent.objects.filter(boost=good, to_status="active").exists()


@pytest.mark.parametrize(
    ("change", "message", "kept"),
    [
        ({"line": 999_999}, "Unknown order line", False),
        ({"line": "1"}, "“line” must be", False),
        ({"line": True}, "“line” must be", False),
        ({"line": None}, "“line” is required", False),
        ({"video_id": ""}, "“video_id” must be", False),
        ({"video_id": "x" * 65}, "“video_id” must be", False),
        ({"published_at": "2026-03-11"}, "UTC offset", False),
        ({"published_at": "soon"}, "ISO 8601", False),
        ({"published_at": None}, "“published_at” is required", False),
        ({"published_at": "future"}, "future", True),
        ({"published_at": "before order"}, "before the order", True),
    ],
)
def test_a_bad_publish_event_refuses_the_batch_with_its_index(
    client, clock, raw_token, change, message, kept
):
    good, bad = factories.boost(), factories.boost()
    now = T0 + timedelta(days=2)
    clock.move_to(now)
    item = event(bad, T0 + timedelta(days=1))
    instants = {"future": now + SKEW + SECOND, "before order": T0 - SECOND}
    if change.get("published_at") in instants:
        change = {"published_at": instants[change["published_at"]].isoformat()}
    item.update(change)
    before = factories.row_counts()
    response = call(client, "publish", {"events": [event(good, T0), item]}, raw_token)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["1"]
    assert message in " ".join(errors["1"])
    after = factories.row_counts()
    assert without(after, LOG, REJECTIONS) == without(before, LOG, REJECTIONS)
    assert after[REJECTIONS] == before[REJECTIONS] + kept


def test_a_video_of_another_line_is_a_409_conflict(client, clock, raw_token):
    published_boost("taken")
    boost = factories.boost()
    clock.move_to(T0 + timedelta(days=2))
    before = factories.row_counts()
    response = call(client, "publish", {"events": [event(boost, T0, video_id="taken")]}, raw_token)
    assert response.status_code == 409
    assert "another order line" in response.json()["errors"]["0"][0]
    assert without(factories.row_counts(), LOG, REJECTIONS) == without(before, LOG, REJECTIONS)
    assert PublishRejection.objects.get().video_id == "taken"


def test_a_different_publish_of_a_published_line_is_a_409_conflict(client, clock, raw_token):
    boost = published_boost("v1")
    clock.move_to(T0 + timedelta(days=2))
    response = call(
        client, "publish", {"events": [event(boost, T0 + SECOND, video_id="v1")]}, raw_token
    )
    assert response.status_code == 409
    assert "already published" in response.json()["errors"]["0"][0]
    assert OrderLine.objects.get(pk=boost.line_id).published_at == T0


@pytest.mark.parametrize("clash", ["same line", "same video"])
def test_a_batch_contradicting_itself_is_refused(client, clock, raw_token, clash):
    first, second = factories.boost(), factories.boost()
    clock.move_to(T0 + timedelta(days=2))
    if clash == "same line":
        events = [event(first, T0, video_id="a"), event(first, T0, video_id="b")]
    else:
        events = [event(first, T0, video_id="a"), event(second, T0, video_id="a")]
    before = factories.row_counts()
    response = call(client, "publish", {"events": events}, raw_token)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["1"]
    assert without(factories.row_counts(), LOG) == without(before, LOG)


# --- Admin -------------------------------------------------------------------------------------


def test_admin_creates_a_token_and_shows_it_once(admin_client, clock):
    response = admin_client.post(
        reverse("admin:orders_integrationtoken_add"), {"name": "pipeline"}, follow=True
    )
    token = IntegrationToken.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    raw = next(
        word for message in shown for word in message.split() if word.startswith(token.prefix)
    )
    assert hashlib.sha256(raw.encode()).hexdigest() == token.token_hash
    assert token.created_at == T0
    page = admin_client.get(reverse("admin:orders_integrationtoken_change", args=[token.pk]))
    assert raw not in page.content.decode()
    listing = admin_client.get(reverse("admin:orders_integrationtoken_changelist"))
    assert f"{token.prefix}…" in listing.content.decode()
    assert raw not in listing.content.decode()


def test_admin_token_form_needs_a_name(admin_client, clock):
    assert admin_client.get(reverse("admin:orders_integrationtoken_add")).status_code == 200
    response = admin_client.post(reverse("admin:orders_integrationtoken_add"), {"name": " "})
    assert response.status_code == 200
    assert IntegrationToken.objects.count() == 0


@pytest.mark.parametrize("model", [ApiRequestLog, PublishRejection])
def test_admin_log_and_refusals_are_listed_read_only(admin_client, client, clock, raw_token, model):
    boost = factories.boost()
    clock.move_to(boost.valid_until)
    call(client, "publish", {"events": [event(boost, boost.valid_until)]}, raw_token)
    opts = model._meta
    listing = admin_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert listing.status_code == 200
    assert "too late" in listing.content.decode()
    add = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    assert admin_client.get(add).status_code == 403


def test_admin_records_a_publish_by_hand(admin_client, admin_user, clock):
    boost = factories.boost()
    clock.move_to(T0 + timedelta(days=3))
    change = reverse("admin:orders_orderline_change", args=[boost.line_id])
    publish = reverse("admin:orders_orderline_publish", args=[boost.line_id])
    assert publish in admin_client.get(change).content.decode()
    response = admin_client.post(
        publish, {"video_id": "by-hand", "published_at_0": "2026-03-12", "published_at_1": "09:30"}
    )
    assert response.status_code == 302
    boost.refresh_from_db()
    assert boost.status == Boost.Status.ACTIVE
    assert boost.window_start == T0.replace(day=12, hour=9, minute=30)
    assert BoostEvent.objects.filter(boost=boost).last().actor == admin_user
    assert publish not in admin_client.get(change).content.decode()


def test_admin_publish_refused_by_the_rules_shows_why_and_writes_nothing(admin_client, clock):
    boost = factories.boost()
    clock.move_to(boost.valid_until + timedelta(days=1))
    before = factories.row_counts()
    response = admin_client.post(
        reverse("admin:orders_orderline_publish", args=[boost.line_id]),
        {"video_id": "late", "published_at_0": "2026-04-10", "published_at_1": "10:00"},
    )
    assert response.status_code == 200
    assert "too late" in response.content.decode()
    assert factories.row_counts() == before


def test_admin_publish_needs_the_boost_change_permission(client, clock):
    boost = factories.boost()
    staff = StaffUserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_orderline"))
    client.force_login(staff)
    url = reverse("admin:orders_orderline_publish", args=[boost.line_id])
    assert client.get(url).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="change_boost"))
    assert client.get(url).status_code == 200


def test_admin_deactivates_tokens_and_they_stop_working(admin_client, client, clock, raw_token):
    token = IntegrationToken.objects.get()
    response = admin_client.post(
        reverse("admin:orders_integrationtoken_changelist"),
        {"action": "deactivate", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert IntegrationToken.objects.get().is_active is False
    assert call(client, "views", {"snapshots": []}, raw_token).status_code == 401
