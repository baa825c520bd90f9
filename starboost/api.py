"""The project's HTTP API: one django-ninja instance, its OpenAPI document and interactive docs.

``/api/publish`` and ``/api/views`` are the platform pipeline's (``orders.api``); ``/api/v1/…`` is
the clients' read API (``integrations.api``). ``/api/openapi.json`` documents both and
``/api/docs`` renders it with Swagger UI from the project's own static files (the strict CSP
allows no CDN and no inline script).
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger
from ninja.openapi.schema import OpenAPISchema
from pydantic.json_schema import models_json_schema

from integrations.api import router as client_router
from orders import api_schemas
from orders.api import router as ingestion_router

DESCRIPTION = """\
**Ingestion** (`/api/publish`, `/api/views`): the platform pipeline's publish events and view
snapshots, with an integration token. Batches are all or nothing; refused items are listed by
their index.

**Client API** (`/api/v1/…`): a client's orders, boosts with progress, settlements with every
input of their formula, statement and events, with a client API token (portal → API tokens).
Read-only; another client's id answers 404 like a missing one.
"""


class StarBoostAPI(NinjaAPI):
    """A ``NinjaAPI`` that also documents what the ingestion views read themselves.

    Those views parse their bodies and tokens by hand (to keep their contract), so the framework
    does not see them: their body schemas and security scheme are added here.
    """

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        _, definitions = models_json_schema(
            [(model, "validation") for model in api_schemas.REQUEST_BODIES],
            ref_template="#/components/schemas/{model}",
        )
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {}).update(definitions.get("$defs", {}))
        components.setdefault("securitySchemes", {})[api_schemas.SECURITY_SCHEME] = {
            "type": "http",
            "scheme": "bearer",
            "description": "An integration token of the platform pipeline (admin → API tokens).",
        }
        return schema


api = StarBoostAPI(
    title="StarBoost API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None, "tryItOutEnabled": False}),
)
api.add_router("", ingestion_router)
api.add_router("/v1", client_router)
