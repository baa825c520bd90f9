"""The OpenAPI document validates, the docs page loads, and the whole schema survives fuzzing.

Schemathesis generates requests from the document itself (valid and invalid ones, bounded and
derandomized) and sends them in-process to the project's WSGI application: no answer may be a
server error or stray from the document, and a refused request writes nothing but its log.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.serializers.json import DjangoJSONEncoder
from django.db import close_old_connections
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from integrations import services
from orders import services as order_services
from orders.models import ApiRequestLog, PublishRejection
from starboost.api import api
from starboost.wsgi import application
from tests import factories

pytestmark = pytest.mark.django_db
LOGS = {ApiRequestLog._meta.label, PublishRejection._meta.label}


def test_the_openapi_document_is_valid_and_documents_every_endpoint(client):
    response = client.get(reverse("api:openapi-json"))
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert set(document["paths"]) == {
        "/api/publish",
        "/api/views",
        "/api/videos",
        "/api/v1/orders",
        "/api/v1/orders/{code}",
        "/api/v1/boosts",
        "/api/v1/boosts/{boost_id}",
        "/api/v1/settlements",
        "/api/v1/settlements/{settlement_id}",
        "/api/v1/statement",
        "/api/v1/events",
    }
    publish = document["paths"]["/api/publish"]
    assert list(publish) == ["post"]  # the other methods answer 405 but are not documented
    body = publish["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PublishBatchBody"}
    assert {"PublishBatchBody", "PublishEventBody", "SnapshotBody", "VideosBatchBody"} <= set(
        document["components"]["schemas"]
    )
    schemas = document["components"]["schemas"]
    assert schemas["ShortfallCause"]["enum"] == ["natural", "creator_caused", "platform_caused"]
    assert schemas["VideoStatus"]["enum"] == [
        "live",
        "removed_by_creator",
        "private",
        "taken_down",
        "restored",
    ]
    assert schemas["VideoOut"]["required"] == ["id", "status", "history"]
    assert schemas["VideoOut"]["properties"]["history"]["items"] == {
        "$ref": "#/components/schemas/VideoStatusOut"
    }
    assert schemas["VideoStatusOut"]["properties"]["status"] == {
        "$ref": "#/components/schemas/VideoStatus"
    }
    assert schemas["VideoStatusOut"]["properties"]["at"]["format"] == "date-time"
    boost, settlement = schemas["BoostOut"], schemas["SettlementOut"]
    for owner, field, ref in [
        (boost, "video", "VideoOut"),
        (boost, "shortfall_cause", "ShortfallCause"),
        (settlement, "cause", "ShortfallCause"),
    ]:
        assert field in owner["required"] and owner["properties"][field]["description"]
        assert owner["properties"][field]["anyOf"] == [
            {"$ref": f"#/components/schemas/{ref}"},
            {"type": "null"},
        ]
    schemes = document["components"]["securitySchemes"]
    assert schemes["PipelineToken"]["scheme"] == schemes["ClientToken"]["scheme"] == "bearer"


def test_the_docs_page_uses_local_assets_only_under_the_strict_policy(client):
    response = client.get(reverse("api:openapi-view"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower() and "https://" not in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    settings_json = page.split('id="swagger-settings">')[1].split("</script>")[0]
    assert json.loads(settings_json)["url"] == reverse("api:openapi-json")


# --- Fuzzing ------------------------------------------------------------------------------


@pytest.fixture
def fuzz_data(db):
    """A client with an order, a running boost made private, a settled one whose creator removed
    its video (a creator-caused compensation), and both tokens."""
    now = timezone.now()
    account = factories.client(balance="100000.00", now=now - timedelta(days=40))
    running = factories.boost(account=account, now=now - timedelta(days=3))
    running = factories.publish(running, at=now - timedelta(days=2), video_id="v1")
    factories.views(
        running, *[(running.window_start + timedelta(hours=h), 400 * h) for h in (1, 9, 20)]
    )
    factories.video_status(running, (now - timedelta(days=1), "private"))
    closed = factories.boost(account=account, now=now - timedelta(days=30))
    closed = factories.publish(closed, at=now - timedelta(days=29))
    factories.views(closed, (now - timedelta(days=21), 15_000))
    factories.video_status(closed, (now - timedelta(days=20), "removed_by_creator"))
    assert factories.settle_window(closed, views_at_end=None).cause == "creator_caused"
    _token, pipeline = order_services.create_integration_token(name="pipeline", now=now)
    _token, client = services.create_api_token(client=account, name="fuzz", now=now)
    return {"pipeline": pipeline, "client": client}


@pytest.fixture
def in_process_requests():
    """Django's WSGI handler closes "old" connections around each request; in a test that would
    close the connection holding the test's transaction, so those hooks are off meanwhile."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _schema() -> schemathesis.schemas.BaseSchema:
    """The document as ``/api/openapi.json`` serves it, called in-process over WSGI.

    Built from the API object at import time (the lazy fixture loader of schemathesis does not
    run under this pytest), so loading it needs no request and no database.
    """
    document = json.loads(json.dumps(api.get_openapi_schema(), cls=DjangoJSONEncoder))
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
        max_examples=25,
        deterministic=True,
    )
    return loaded


schema = _schema()


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_fuzzing_the_whole_schema_finds_no_server_error_and_no_write_on_refusal(
    case, fuzz_data, in_process_requests
):
    token = (
        fuzz_data["client"] if case.operation.path.startswith("/api/v1") else fuzz_data["pipeline"]
    )
    before = factories.row_counts()
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
    if response.status_code >= 400:
        after = factories.row_counts()
        assert {k: n for k, n in after.items() if k not in LOGS} == {
            k: n for k, n in before.items() if k not in LOGS
        }
