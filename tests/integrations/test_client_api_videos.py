"""The client API shows each boost's video status and history, and each settlement's shortfall
cause as its code (DESIGN §5, issue 15).

The removed boost counts 18,200 views on day 9 (after a private spell on days 3–4), then the
creator removes the video on day 10: its count stays frozen, 1,800 short × ¥0.55 = ¥990.00.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orders.models import Boost
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
PUBLISHED = T0 + timedelta(hours=1)
LATER = T0 + 14 * DAY  # when the second boost is ordered
NOW = LATER + DAY


def get(client, name: str, token: str, *args, **params):
    headers = {"Authorization": f"Bearer {token}"}
    response = client.get(reverse(f"api:{name}", args=args), params, headers=headers)
    assert response.status_code == 200
    return response.json()


def history(video: dict) -> list[tuple[str, datetime]]:
    return [(change["status"], datetime.fromisoformat(change["at"])) for change in video["history"]]


def removed_boost(account) -> Boost:
    """A boost whose creator hid, restored, then removed its video: compensated, creator-caused."""
    boost = factories.publish(factories.boost(account=account), at=PUBLISHED)
    factories.video_status(boost, (PUBLISHED + 3 * DAY, "private"))
    factories.video_status(boost, (PUBLISHED + 4 * DAY, "restored"))
    factories.views(boost, (PUBLISHED + 9 * DAY, 18_200))
    factories.video_status(boost, (PUBLISHED + 10 * DAY, "removed_by_creator"))
    factories.settle_window(boost, views_at_end=None)
    return boost


def taken_down_boost(account) -> Boost:
    """A running boost whose video the platform took down on its first day."""
    boost = factories.boost(account=account, now=LATER)
    boost = factories.publish(boost, at=LATER + timedelta(hours=1))
    factories.video_status(boost, (LATER + timedelta(hours=5), "taken_down"))
    return boost


@pytest.fixture
def boosts(account, clock):
    """Removed and settled, taken down while running, live with no event, never published."""
    removed = removed_boost(account)
    taken_down = taken_down_boost(account)
    live = factories.publish(factories.boost(account=account, now=LATER), at=LATER + DAY / 2)
    waiting = factories.boost(account=account, now=LATER)
    clock.move_to(NOW)
    return removed, taken_down, live, waiting


def test_boosts_show_the_video_status_its_history_and_the_shortfall_cause(
    client, boosts, api_token
):
    removed, taken_down, live, waiting = boosts
    rows = {row["id"]: row for row in get(client, "list_boosts", api_token)["results"]}

    gone = rows[removed.pk]
    assert (gone["status"], gone["shortfall_cause"]) == ("compensated", "creator_caused")
    assert (gone["video"]["id"], gone["video"]["status"]) == (
        f"v_{removed.pk}",
        "removed_by_creator",
    )
    assert history(gone["video"]) == [
        ("private", PUBLISHED + 3 * DAY),
        ("restored", PUBLISHED + 4 * DAY),
        ("removed_by_creator", PUBLISHED + 10 * DAY),
    ]
    assert gone["progress"]["latest_views"] == 18_200  # frozen at the last count before removal

    down = rows[taken_down.pk]
    assert (down["status"], down["shortfall_cause"], down["video"]["status"]) == (
        "active",
        None,
        "taken_down",
    )
    assert history(down["video"]) == [("taken_down", LATER + timedelta(hours=5))]
    assert rows[live.pk]["video"] == {"id": f"v_{live.pk}", "status": "live", "history": []}
    assert (rows[waiting.pk]["video"], rows[waiting.pk]["shortfall_cause"]) == (None, None)

    one = get(client, "get_boost", api_token, removed.pk)
    assert one == gone


def test_settlements_carry_the_cause_code_and_other_kinds_none(client, boosts, api_token, clock):
    removed, _taken_down, _live, waiting = boosts
    refund = factories.expire(Boost.objects.get(pk=waiting.pk))
    clock.move_to(refund.computed_at)
    rows = get(client, "list_settlements", api_token)["results"]
    assert sorted((row["boost"], row["kind"], row["amount"], row["cause"]) for row in rows) == [
        (removed.pk, "compensation", "990.00", "creator_caused"),
        (waiting.pk, "refund", "1000.00", None),
    ]
    compensation = next(row for row in rows if row["kind"] == "compensation")
    assert get(client, "get_settlement", api_token, compensation["id"]) == compensation


def test_a_natural_shortfall_says_natural(client, account, api_token, clock):
    boost = factories.publish(factories.boost(account=account), at=PUBLISHED)
    factories.settle_window(boost, views_at_end=19_000)
    clock.move_to(NOW)
    [row] = get(client, "list_settlements", api_token)["results"]
    assert (row["amount"], row["cause"]) == ("550.00", "natural")
    assert get(client, "get_boost", api_token, boost.pk)["shortfall_cause"] == "natural"


def test_a_page_of_boosts_costs_the_same_queries_with_more_videos_and_events(
    client, account, api_token, clock
):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            get(client, "list_boosts", api_token)
        return len(captured)

    removed_boost(account)
    taken_down_boost(account)
    clock.move_to(NOW)
    get(client, "list_boosts", api_token)  # the token's first use is stamped once
    one = queries()
    removed_boost(account)
    taken_down_boost(account)
    taken_down_boost(account)
    factories.boost(account=account, now=LATER)
    assert get(client, "list_boosts", api_token)["count"] == 6
    assert queries() == one
