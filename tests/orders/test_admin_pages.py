"""The custom admin pages share one frame; what they show survives HTML escaping."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_token_page_shows_the_bearer_placeholder_as_text(admin_client):
    html = admin_client.get(reverse("admin:orders_integrationtoken_add")).content.decode()
    assert "Bearer &lt;token&gt;" in html
    assert "<token>" not in html


def test_token_page_has_the_breadcrumbs_of_its_model(admin_client):
    html = admin_client.get(reverse("admin:orders_integrationtoken_add")).content.decode()
    assert reverse("admin:orders_integrationtoken_changelist") in html
    assert 'class="breadcrumbs"' in html
