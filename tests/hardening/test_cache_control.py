"""``Cache-Control: private, no-store`` on every response to a logged-in user and on CSV exports.

A shared proxy or the browser's back/forward cache must never keep a client's balance, orders or
statement (issue 11, item 7); ``kernel.http.PrivateCache`` adds it, keeping what a view set.
"""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils.cache import patch_cache_control

from kernel.exports import csv_response
from kernel.http import PrivateCache
from tests import factories

pytestmark = [pytest.mark.django_db]


def directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.mark.parametrize("name", ["portal:order_list", "portal:account", "portal:order_new"])
def test_portal_pages_are_private_and_not_stored(portal, name):
    response = portal.get(reverse(name), follow=True)  # order_new first adds its form id
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_an_order_page_is_private_and_not_stored(portal, account):
    order = factories.order(account, [factories.influencer()])
    response = portal.get(reverse("portal:order_detail", args=[order.code]))
    assert {"private", "no-store"} <= directives(response)


def test_the_statement_csv_is_private_and_not_stored(portal):
    response = portal.get(reverse("portal:statement_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert {"private", "no-store"} <= directives(response)


def test_admin_pages_keep_their_own_directives_and_gain_ours(admin_client):
    response = admin_client.get(reverse("admin:orders_client_changelist"))
    assert {"private", "no-store", "no-cache", "must-revalidate"} <= directives(response)


def test_a_csv_export_is_private_whoever_asks():
    request = RequestFactory().get("/export.csv")  # no user at all
    response = PrivateCache(lambda _request: csv_response([["a"], ["1"]], "export.csv"))(request)
    assert {"private", "no-store"} <= directives(response)


def test_a_public_directive_set_by_a_view_is_dropped_for_a_logged_in_user(member):
    def view(_request):
        response = HttpResponse("hello")
        patch_cache_control(response, public=True, max_age=600)
        return response

    request = RequestFactory().get("/")
    request.user = member
    response = PrivateCache(view)(request)
    assert "public" not in directives(response)
    assert {"private", "no-store", "max-age=600"} <= directives(response)


def test_an_anonymous_page_is_left_alone():
    request = RequestFactory().get("/")
    response = PrivateCache(lambda _request: HttpResponse("hello"))(request)
    assert "Cache-Control" not in response
