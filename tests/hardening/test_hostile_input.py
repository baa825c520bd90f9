"""Hostile input is a 4xx, never a 500, and writes nothing (issue 11, item 6).

``kernel.http.RefuseControlCharacters`` answers 400 to a control character in the path, the query
string or a form field, before any view; the API refuses a NUL inside a JSON string per item,
and ``kernel.jsonbody.load_json`` bounds the body's depth and size. Each case asserts the status
and that no row was written (the API's request log keeps its one row per answered request).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from orders.models import ApiRequestLog, Influencer, ViewSnapshot
from tests import factories
from tests.factories import T0

from .conftest import call_api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
LOG = ApiRequestLog._meta.label


def without_log(counts: dict[str, int]) -> dict[str, int]:
    return {label: n for label, n in counts.items() if label != LOG}


# --- Path, query string and form fields (the middleware) ---------------------------------------


def test_a_nul_in_a_portal_path_is_a_400_and_writes_nothing(portal):
    before = factories.row_counts()
    response = portal.get("/orders/%00/")
    assert response.status_code == 400
    assert "control character" in response.content.decode()
    assert factories.row_counts() == before


@pytest.mark.parametrize("query", ["%00", "a%00b", "%01", "%1b%5b31m", "%1f"])
def test_a_control_character_in_the_portal_search_is_a_400(portal, query):
    factories.influencer()
    before = factories.row_counts()
    response = portal.get(f"{reverse('portal:order_new')}?q={query}")
    assert response.status_code == 400
    assert "nothing was searched" in response.content.decode()
    assert factories.row_counts() == before


def test_tab_and_newline_in_a_search_are_ordinary_text(portal):
    response = portal.get(f"{reverse('portal:order_new')}?q=a%09b%0Ac%0D", follow=True)
    assert response.status_code == 200


def test_a_nul_in_a_query_parameter_name_is_a_400_too(portal):
    assert portal.get(f"{reverse('portal:order_list')}?boo%00sts=active").status_code == 400


def test_a_nul_in_the_admin_search_is_a_400_and_writes_nothing(admin_client):
    factories.influencer()
    before = factories.row_counts()
    response = admin_client.get(f"{reverse('admin:orders_influencer_changelist')}?q=%00")
    assert response.status_code == 400
    assert factories.row_counts() == before
    assert (
        admin_client.get(f"{reverse('admin:orders_influencer_changelist')}?q=达人").status_code
        == 200
    )


def test_a_nul_in_an_admin_form_field_is_a_400_and_saves_nothing(admin_client):
    response = admin_client.post(
        reverse("admin:orders_influencer_add"),
        {"platform_id": "dy_\x00", "name": "Nul", "fixed_price": "100.00"},
    )
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert not Influencer.objects.exists()


def test_a_nul_in_a_login_form_is_a_400_and_counts_no_failed_attempt(client, member):
    response = client.post(reverse("login"), {"username": "alice\x00", "password": "x"})
    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()


def test_the_refusal_follows_the_request_language(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client.get("/orders/%00/")
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()


# --- The ingestion API --------------------------------------------------------------------------


def snapshot(video_id="v1", observed_at=None, views=100) -> dict:
    at = observed_at or (T0 + timedelta(hours=1)).isoformat()
    return {"video_id": video_id, "observed_at": at, "views": views}


@pytest.fixture
def published(clock):
    boost = factories.publish(factories.boost(), at=T0, video_id="v1")
    clock.move_to(T0 + timedelta(days=1))
    return boost


def assert_refused_and_logged(response, status: int, before: dict[str, int]) -> ApiRequestLog:
    """``status``, nothing written but the request's one log row, and no NUL in that row."""
    assert response.status_code == status
    assert without_log(factories.row_counts()) == without_log(before)
    log = ApiRequestLog.objects.get()
    assert log.status_code == status
    assert "\x00" not in log.error
    return log


@pytest.mark.parametrize("video_id", ["v1\x00", "\x00", "v\x1b1"])
def test_an_api_video_id_with_a_control_character_is_refused_as_an_item_error(
    client, raw_token, published, video_id
):
    before = factories.row_counts()
    response = call_api(client, "views", {"snapshots": [snapshot(), snapshot(video_id)]}, raw_token)
    assert response.json() == {
        "errors": {"1": ["“video_id” must not hold control characters (such as NUL)."]}
    }
    assert_refused_and_logged(response, 400, before)
    assert ViewSnapshot.objects.count() == 0


def test_a_publish_event_with_a_nul_video_id_is_refused(client, raw_token, clock):
    boost = factories.boost()
    before = factories.row_counts()
    event = {"line": boost.line_id, "video_id": "v\x00", "published_at": T0.isoformat()}
    response = call_api(client, "publish", {"events": [event]}, raw_token)
    assert list(response.json()["errors"]) == ["0"]
    assert_refused_and_logged(response, 400, before)


def test_a_raw_nul_byte_in_a_json_string_is_a_400(client, raw_token, published):
    before = factories.row_counts()
    response = call_api(
        client, "views", token=raw_token, raw=b'{"snapshots": [{"video_id": "v\x00"}]}'
    )
    assert "not valid JSON" in response.json()["error"]
    assert_refused_and_logged(response, 400, before)


@pytest.mark.parametrize(
    ("observed_at", "message"),
    [
        ("２０２６-03-10T11:00:00+08:00", "ASCII digits 0–9"),
        ("0001-01-01T00:00:00+14:00", "outside the accepted range"),
        ("9999-12-31T23:59:59-14:00", "outside the accepted range"),
        ("2026-03-10\x00T11:00:00+08:00", "Not an ISO 8601"),
    ],
)
def test_an_api_instant_from_outside_the_sane_range_is_refused(
    client, raw_token, published, observed_at, message
):
    before = factories.row_counts()
    response = call_api(
        client, "views", {"snapshots": [snapshot(observed_at=observed_at)]}, raw_token
    )
    assert message in response.json()["errors"]["0"][0]
    assert_refused_and_logged(response, 400, before)
    assert ViewSnapshot.objects.count() == 0


def test_json_nested_100000_deep_is_a_400_not_a_recursion_error(client, raw_token, published):
    before = factories.row_counts()
    body = '{"snapshots": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = call_api(client, "views", token=raw_token, raw=body)
    assert response.json() == {"error": "The JSON nests arrays and objects deeper than 64 levels."}
    log = assert_refused_and_logged(response, 400, before)
    assert "deeper than 64" in log.error


def test_nan_in_the_body_is_a_400(client, raw_token, published):
    before = factories.row_counts()
    response = call_api(
        client, "views", token=raw_token, raw='{"snapshots": [{"video_id": "v1", "views": NaN}]}'
    )
    assert "NaN is not a JSON value" in response.json()["error"]
    assert_refused_and_logged(response, 400, before)


def test_an_oversize_body_is_a_413_and_writes_nothing(client, raw_token, published, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_000
    items = [snapshot(observed_at=(T0 + timedelta(minutes=n)).isoformat()) for n in range(40)]
    before = factories.row_counts()
    response = call_api(client, "views", {"snapshots": items}, raw_token)
    assert "too large" in response.json()["error"]
    assert_refused_and_logged(response, 413, before)
    assert call_api(client, "views", {"snapshots": items[:5]}, raw_token).status_code == 200


def test_a_nul_in_an_api_query_string_is_refused_by_the_middleware_as_json(
    client, raw_token, published
):
    before = factories.row_counts()
    response = client.post(
        f"{reverse('api:views')}?x=%00",
        data='{"snapshots": []}',
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw_token}"},
    )
    assert response.status_code == 400
    assert "control character" in response.json()["error"]
    # Refused before the API's view: no request log row (like Django's other 400s).
    assert factories.row_counts() == before
