"""Video status events (DESIGN §5, issue 15): ``POST /api/videos`` and ``import_video_statuses``
all or nothing, and suspicious counts flagged as they are stored."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from orders import services
from orders.models import ApiRequestLog, SnapshotFlag, VideoStatusEvent
from orders.pricing import IneligibleReason, quote_from_history
from orders.services import SnapshotIn
from tests import factories
from tests.csv_imports import ImportFailed, import_csv
from tests.factories import STEADY, T0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
NOW = T0 + timedelta(days=1)
LOG = ApiRequestLog._meta.label
HOUR = timedelta(hours=1)
PRICE = Decimal("10000.00")


@pytest.fixture
def video():
    """Video v1 published at T0 (its order placed an hour before); the clock stands at NOW."""
    boost = factories.publish(factories.boost(now=T0 - HOUR), at=T0, video_id="v1")
    with time_machine.travel(NOW, tick=False):
        yield boost


@pytest.fixture
def token(video) -> str:
    return services.create_integration_token(name="pipeline", now=NOW)[1]


def post(client, token, events):
    return client.post(
        reverse("api:videos"),
        data=json.dumps({"events": events}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def event(status="removed_by_creator", at=T0 + HOUR, video_id="v1") -> dict:
    return {"video_id": video_id, "status": status, "at": at.isoformat()}


def without_log(counts: dict) -> dict:
    return {label: n for label, n in counts.items() if label != LOG}


def test_status_events_are_stored_and_a_repeat_changes_nothing(client, token):
    batch = [event(), event("restored", T0 + 2 * HOUR)]
    assert post(client, token, batch).json() == {"accepted": 2, "new": 2}
    before = factories.row_counts()
    assert post(client, token, batch).json() == {"accepted": 2, "new": 0}
    assert without_log(factories.row_counts()) == without_log(before)
    assert list(VideoStatusEvent.objects.values_list("status", flat=True)) == [
        "removed_by_creator",
        "restored",
    ]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (event(video_id="nope"), "Unknown or unpublished video"),
        (event(status="deleted"), "Unknown status"),
        (event(status=3), "must be a text"),
        (event(at=NOW + timedelta(minutes=6)), "future"),
        (event(at=T0 - timedelta(seconds=1)), "before the video was published"),
        ({"video_id": "v1", "at": T0.isoformat()}, "“status” is required"),
        ({"video_id": "v1", "status": "live", "at": "2026-03-10T10:00:00"}, "UTC offset"),
        ({"status": "live", "at": T0.isoformat()}, "“video_id” is required"),
        ("v1", "JSON object"),
    ],
)
def test_a_bad_status_event_refuses_the_batch_and_writes_nothing(client, token, item, message):
    before = factories.row_counts()
    response = post(client, token, [event(), item])
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["1"] and message in " ".join(errors["1"])
    assert without_log(factories.row_counts()) == without_log(before)
    assert ApiRequestLog.objects.get().status_code == 400


def test_another_status_for_a_stored_instant_is_a_409_conflict(client, token):
    post(client, token, [event()])
    response = post(client, token, [event("taken_down")])
    assert response.status_code == 409
    assert "Conflicts with the stored status" in response.json()["errors"]["0"][0]
    assert VideoStatusEvent.objects.get().status == "removed_by_creator"


def test_two_statuses_for_one_instant_in_one_batch_are_refused(client, token):
    response = post(client, token, [event(), event("private")])
    assert response.status_code == 400 and not VideoStatusEvent.objects.exists()


def test_the_videos_endpoint_needs_the_pipeline_token(client, video):
    response = post(client, "wrong", [event()])
    assert response.status_code == 401 and not VideoStatusEvent.objects.exists()


def test_status_events_import_from_csv_all_or_nothing(tmp_path, video):
    out, _err = import_csv(
        "import_video_statuses",
        tmp_path,
        f"video_id,status,at\nv1,private,{(T0 + HOUR).isoformat()}\n"
        f"v1,live,{(T0 + 2 * HOUR).isoformat()}\n",
    )
    assert "Stored 2 new status event(s) from 2 row(s)" in out
    with pytest.raises(ImportFailed) as failed:
        import_csv(
            "import_video_statuses",
            tmp_path,
            f"video_id,status,at\nv1,gone,{(T0 + 3 * HOUR).isoformat()}\n",
        )
    assert "line 2: Unknown status" in failed.value.err
    assert VideoStatusEvent.objects.count() == 2


# --- Suspicious counts ---------------------------------------------------------------------


def record(*observations):
    services.record_views(
        items=[SnapshotIn("v1", at, views) for at, views in observations],
        now=max(at for at, _ in observations),
    )


def flags() -> list[tuple[int, str, int]]:
    return list(
        SnapshotFlag.objects.order_by("snapshot__observed_at").values_list(
            "snapshot__views", "reason", "compared_views"
        )
    )


def test_a_jump_above_ten_times_within_an_hour_is_flagged(video):
    record((T0 + HOUR, 2_000), (T0 + 2 * HOUR, 20_000), (T0 + 3 * HOUR, 200_001))
    # 20,000 is exactly 10 × 2,000: not above. 200,001 is above 10 × 20,000.
    assert flags() == [(200_001, "jump", 20_000)]


def test_a_jump_over_more_than_an_hour_or_from_below_the_floor_is_not_flagged(video):
    record((T0 + HOUR, 2_000), (T0 + 2 * HOUR + timedelta(seconds=1), 50_000))
    record((T0 + 3 * HOUR, 50_000))
    assert flags() == []
    other = factories.publish(factories.boost(now=T0 - HOUR), at=T0, video_id="v2")
    services.record_views(
        items=[SnapshotIn("v2", T0 + HOUR, 0), SnapshotIn("v2", T0 + 2 * HOUR, 10_000)],
        now=T0 + 2 * HOUR,
    )
    assert not SnapshotFlag.objects.filter(line_id=other.line_id).exists()  # 10 × floor 1,000


def test_the_jump_multiple_is_a_setting(video, settings):
    settings.SUSPICIOUS_JUMP_MULTIPLE = 2.0
    record((T0 + HOUR, 2_000), (T0 + 2 * HOUR, 4_001))
    assert flags() == [(4_001, "jump", 2_000)]


def test_a_lower_count_is_flagged_also_when_it_arrives_before_the_earlier_one(video):
    record((T0 + 3 * HOUR, 900))
    record((T0 + HOUR, 1_000))
    assert flags() == [(900, "decrease", 1_000)]
    record((T0 + 4 * HOUR, 950))
    assert flags() == [(900, "decrease", 1_000), (950, "decrease", 1_000)]


def test_a_repeated_batch_flags_nothing_twice(video):
    record((T0 + HOUR, 1_000), (T0 + 2 * HOUR, 900))
    record((T0 + HOUR, 1_000), (T0 + 2 * HOUR, 900))
    assert SnapshotFlag.objects.count() == 1


# --- Suspension in the quote ---------------------------------------------------------------


def test_a_suspended_influencer_is_not_offered_a_boost_and_the_quote_says_until_when():
    history = [
        (T0 - timedelta(days=d), views) for d, views in zip((1, 2, 3), STEADY[:3], strict=True)
    ]
    until = T0 + timedelta(days=30)
    quote = quote_from_history(PRICE, history, T0, suspended_until=until)
    assert (quote.eligible, quote.reason, quote.boost_fee) == (
        False,
        IneligibleReason.SUSPENDED,
        None,
    )
    assert f"offered again from {timezone.localtime(until):%Y-%m-%d %H:%M}" in quote.explanation()
    assert quote_from_history(PRICE, history, until, suspended_until=until).eligible
    assert quote_from_history(PRICE, history, T0).as_dict().get("suspended_until") is None
