"""The settlement CSV export carries the shortfall cause and the recovery case (issue 15).

The cause is worded in the reader's language (empty for anything but a compensation), the
recovery case's status stays a code. Each shortfall below counts 18,200 views on day 9, then the
video goes offline on day 10 (frozen): 1,800 short × ¥0.55 = ¥990.00.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from settlements import services
from settlements.admin.exports import CSV_COLUMNS
from settlements.models import RecoveryCase, Settlement
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)
EXPORT = reverse("admin:settlements_settlement_export_csv")


def offline_shortfall(status: str, *, name: str) -> Settlement:
    """A window that fell short after its video went ``status`` on day 10 (¥990.00 owed)."""
    published = factories.active_boost(name=name)
    factories.views(published, (published.window_start + 9 * DAY, 18_200))
    factories.video_status(published, (published.window_start + 10 * DAY, status))
    settlement = factories.settle_window(published, views_at_end=None)
    assert settlement is not None
    return settlement


def recovered(settlement: Settlement) -> None:
    """Finance decides the settlement's recovery case ``recovered``, four-eyes."""
    users = get_user_model().objects
    case = RecoveryCase.objects.get(settlement=settlement)
    now = settlement.computed_at
    services.propose_recovery_decision(
        case=case, decision="recovered", reason="deducted", actor=users.create_user("f1"), now=now
    )
    services.approve_recovery_decision(case=case, actor=users.create_user("f2"), now=now)


@pytest.fixture
def every_cause() -> list[Settlement]:
    """One settlement of each cause, a decided recovery, and a refund (no cause)."""
    natural = factories.compensation(name="Natural Ni")
    creator_open = offline_shortfall("removed_by_creator", name="Creator Cao")
    creator_recovered = offline_shortfall("private", name="Creator Chen")
    recovered(creator_recovered)
    platform = offline_shortfall("taken_down", name="Platform Peng")
    refund = factories.refund(now=T0 + DAY, name="Refund Ren")
    return [natural, creator_open, creator_recovered, platform, refund]


def exported(admin_client) -> tuple[list[str], list[tuple[str, ...]]]:
    """The header, then each row's id, kind, amount, cause and recovery status."""
    response = admin_client.get(EXPORT)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    cells = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows]
    picked = [
        tuple(c[k] for k in ("id", "kind", "amount", "cause", "recovery_status")) for c in cells
    ]
    return header, sorted(picked, key=lambda row: int(row[0]))


@pytest.mark.parametrize(
    ("language", "columns", "words"),
    [
        (
            "en",
            ["Shortfall cause", "Recovery status (code)"],
            ("Natural", "Creator-caused", "Platform-caused"),
        ),
        ("zh-hans", ["未达标原因", "追偿状态（代码）"], ("自然未达标", "达人原因", "平台原因")),
    ],
)
def test_the_export_words_the_cause_in_the_language_and_keeps_the_recovery_code(
    admin_client, settings, every_cause, language, columns, words
):
    settings.LANGUAGE_CODE = language
    natural_word, creator_word, platform_word = words
    natural, creator_open, creator_recovered, platform, refund = every_cause
    header, rows = exported(admin_client)
    assert header[-2:] == columns
    assert rows == [
        (str(natural.pk), "compensation", "550.00", natural_word, ""),
        (str(creator_open.pk), "compensation", "990.00", creator_word, "open"),
        (str(creator_recovered.pk), "compensation", "990.00", creator_word, "recovered"),
        (str(platform.pk), "compensation", "990.00", platform_word, ""),
        (str(refund.pk), "refund", "1000.00", "", ""),
    ]


def test_the_export_costs_the_same_queries_for_more_settlements_and_recoveries(admin_client):
    def grow(n: int) -> None:
        for i in range(n):
            offline_shortfall("removed_by_creator", name=f"Creator {n}-{i}")
            factories.compensation(name=f"Natural {n}-{i}")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            b"".join(admin_client.get(EXPORT).streaming_content)
        return len(captured)

    grow(1)
    one = queries()
    grow(2)
    assert Settlement.objects.count() == 6 and RecoveryCase.objects.count() == 3
    assert queries() == one
