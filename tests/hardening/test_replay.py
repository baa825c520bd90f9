"""Replay-safe money forms (issue 11, item 2): Back, refresh and resubmit never charge twice.

A money form's idempotency key comes from a form instance the server issues once (``kernel.replay``)
and keeps in the URL, so the page re-fetched by Back carries the same key. Each money form is
checked the same way: the first GET redirects once to carry its form id; posting the same form id
again gives one ledger charge and a clear "already" message; a GET of a used form says so and
links to the result and to a new form; a forged, foreign or expired form id is a 400 and writes
nothing.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.test import Client as HttpClient
from django.urls import reverse

from kernel import replay
from orders import money_forms, services
from orders.models import LedgerEntry, LedgerKind, Order
from orders.services import LineRequest
from tests import factories
from tests.factories import T0, StaffUserFactory, member_of

pytestmark = pytest.mark.django_db

NEW = "/orders/new/"


@pytest.fixture(autouse=True)
def clock(frozen_now, english):
    """Every page reads ``timezone.now()``; the factories' quotes are fresh at T0. English UI."""
    return frozen_now


def form_of(response) -> str:
    """The form id a redirect added to the URL."""
    return parse_qs(urlsplit(response["Location"]).query)[replay.FORM_PARAM][0]


def tampered(token: str) -> str:
    return token[:-2] + ("AA" if not token.endswith("AA") else "BB")


# --- kernel.replay ------------------------------------------------------------------------------


def test_a_form_id_is_verified_for_its_kind_user_and_scope():
    issued = replay.issue("k", user_id=7, scope="3")
    assert replay.verify(issued.token, "k", user_id=7, scope="3") == issued
    for kind, user_id, scope in (("other", 7, "3"), ("k", 8, "3"), ("k", 7, "4")):
        with pytest.raises(replay.FormInstanceRefused):
            replay.verify(issued.token, kind, user_id=user_id, scope=scope)


def test_a_tampered_or_empty_form_id_is_refused():
    issued = replay.issue("k", user_id=7)
    for token in (tampered(issued.token), "", "not-a-form-id"):
        with pytest.raises(replay.FormInstanceRefused, match="altered"):
            replay.verify(token, "k", user_id=7)


def test_a_form_id_expires_after_its_lifetime():
    issued = replay.issue("k", user_id=7)
    with time_machine.travel(T0 + replay.LIFETIME + timedelta(seconds=1), tick=False):
        with pytest.raises(replay.FormInstanceRefused, match="expired"):
            replay.verify(issued.token, "k", user_id=7)


def test_the_same_page_url_keeps_its_query_and_gets_one_form_id(rf):
    request = rf.get("/x/", {"form": "old", "q": "a b", "i": ["1", "2"]})
    issued = replay.issue("k", user_id=1)
    form = urlencode({"form": issued.token})
    assert replay.url_with(request, issued) == f"/x/?{form}&q=a+b&i=1&i=2"
    assert replay.url_with(request, None) == "/x/?q=a+b&i=1&i=2"


def test_place_order_says_whether_it_placed_the_order():
    account = factories.client(balance="50000.00")
    lines = [LineRequest(factories.influencer().pk, boost=True)]
    first, created = services.place_order(client=account, lines=lines, idempotency_key="k", now=T0)
    again, created_again = services.place_order(
        client=account, lines=lines, idempotency_key="k", now=T0
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)


# --- admin: top up ------------------------------------------------------------------------------


@pytest.fixture
def acme():
    return factories.client(balance="0")


def top_up_url(client) -> str:
    return reverse("admin:orders_client_top_up", args=[client.pk])


def top_ups(client) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(client=client, kind=LedgerKind.TOP_UP))


def test_admin_top_up_gets_one_form_id_that_survives_a_refresh(admin_client, acme):
    first = admin_client.get(top_up_url(acme))
    assert first.status_code == 302
    page = admin_client.get(first["Location"])
    again = admin_client.get(first["Location"])  # a refresh, or Back to this page
    token = form_of(first)
    assert page.context["form"].initial["idempotency_key"] == token
    assert again.context["form"].initial["idempotency_key"] == token


def test_admin_top_up_resubmitted_credits_once_and_says_so(admin_client, acme):
    form_url = admin_client.get(top_up_url(acme))["Location"]
    data = {"amount": "1000.00", "reason": "Bank 0310", "idempotency_key": form_of_url(form_url)}
    admin_client.post(form_url, data)
    again = admin_client.post(form_url, data, follow=True)
    assert [entry.amount for entry in top_ups(acme)] == [Decimal("1000.00")]
    assert (
        "This top-up of ¥1,000.00 was already credited at 2026-03-10 10:00; nothing was "
        "credited twice." in again.content.decode()
    )


def test_admin_top_up_back_shows_what_was_booked_and_offers_a_new_form(admin_client, acme):
    form_url = admin_client.get(top_up_url(acme))["Location"]
    token = form_of_url(form_url)
    admin_client.post(
        form_url, {"amount": "1000.00", "reason": "Bank 0310", "idempotency_key": token}
    )
    back = admin_client.get(form_url)
    html = back.content.decode()
    assert "was already credited" in html
    entry = top_ups(acme)[0]
    assert reverse("admin:orders_ledgerentry_change", args=[entry.pk]) in html
    assert back.context["form"].initial["amount"] == Decimal("1000.00")
    new = admin_client.get(back.context["new_form_url"])
    assert new.status_code == 302 and form_of(new) != token


def form_of_url(url: str) -> str:
    return parse_qs(urlsplit(url).query)[replay.FORM_PARAM][0]


@pytest.mark.parametrize("method", ["get", "post"])
def test_admin_top_up_with_a_tampered_form_id_is_a_400_and_writes_nothing(
    admin_client, acme, method
):
    token = tampered(form_of(admin_client.get(top_up_url(acme))))
    before = factories.row_counts()
    if method == "get":
        response = admin_client.get(top_up_url(acme), {"form": token})
    else:
        data = {"amount": "1000.00", "reason": "Bank", "idempotency_key": token}
        response = admin_client.post(top_up_url(acme), data)
    assert response.status_code == 400
    assert "altered" in response.content.decode()
    assert factories.row_counts() == before


def test_admin_top_up_with_another_users_or_clients_form_id_is_a_400(
    admin_client, admin_user, acme
):
    other_user = StaffUserFactory(is_superuser=True)
    other_client = factories.client(balance="0")
    foreign = [
        replay.issue(money_forms.TOP_UP_FORM, user_id=other_user.pk, scope=str(acme.pk)),
        replay.issue(money_forms.TOP_UP_FORM, user_id=admin_user.pk, scope=str(other_client.pk)),
    ]
    before = factories.row_counts()
    for instance in foreign:
        data = {"amount": "1000.00", "reason": "Bank", "idempotency_key": instance.token}
        response = admin_client.post(top_up_url(acme), data)
        assert response.status_code == 400
        assert "another user or for another account" in response.content.decode()
    assert factories.row_counts() == before


def test_an_expired_admin_top_up_form_is_a_400_and_writes_nothing(admin_client, acme):
    token = form_of(admin_client.get(top_up_url(acme)))
    before = factories.row_counts()
    with time_machine.travel(T0 + timedelta(hours=25), tick=False):
        data = {"amount": "1000.00", "reason": "Bank", "idempotency_key": token}
        response = admin_client.post(top_up_url(acme), data)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert factories.row_counts() == before


# --- admin: place an order ----------------------------------------------------------------------


@pytest.fixture
def star():
    influencer = factories.influencer(price="10000.00")
    services.refresh_quotes(now=T0)
    return influencer


def place_url(client) -> str:
    return reverse("admin:orders_client_place_order", args=[client.pk])


def module_post(response, **extra) -> dict:
    """What the rendered module posts when every available boost is ticked and confirmed."""
    formset = response.context["formset"]
    data = {
        formset.management_form.add_prefix(k): v for k, v in formset.management_form.initial.items()
    }
    for form in formset:
        for name in ("influencer_id", "fixed_price", "boost_fee"):
            value = form.initial.get(name)
            data[form.add_prefix(name)] = "" if value is None else str(value)
        if form.initial.get("boost_fee") is not None:
            data[form.add_prefix("boost")] = "on"
    data["idempotency_key"] = response.context["key_form"].initial["idempotency_key"]
    return {**data, "confirm": "1", **extra}


def order_charges(client) -> list[tuple[str, Decimal]]:
    return sorted(
        LedgerEntry.objects.filter(client=client, order__isnull=False).values_list("kind", "amount")
    )


def test_admin_order_flow_keeps_one_form_id_from_pick_to_confirm(admin_client, admin_user, star):
    account = factories.client(balance="50000.00")
    pick = admin_client.get(place_url(account), follow=True)
    token = pick.context["form_token"]
    review = admin_client.get(place_url(account), {"form": token, "step": "module", "i": star.pk})
    assert review.context["key_form"].initial["idempotency_key"] == token
    first = admin_client.post(place_url(account), module_post(review))
    again = admin_client.post(place_url(account), module_post(review), follow=True)
    order = Order.objects.get(client=account)
    assert first["Location"] == again.redirect_chain[0][0]
    form_id = replay.verify(
        token, money_forms.ADMIN_ORDER_FORM, user_id=admin_user.pk, scope=str(account.pk)
    ).id
    assert order.idempotency_key == money_forms.order_key(form_id)
    assert order_charges(account) == [
        (LedgerKind.BOOST_FEE, Decimal("-1000.00")),
        (LedgerKind.ORDER_CHARGE, Decimal("-10000.00")),
    ]
    assert "was already placed; nothing was charged again." in again.content.decode()


def test_admin_order_back_shows_the_placed_order_and_confirming_again_charges_nothing(
    admin_client, star
):
    account = factories.client(balance="50000.00")
    review = admin_client.get(place_url(account), {"step": "module", "i": star.pk}, follow=True)
    review_url = review.redirect_chain[-1][0]
    placed = admin_client.post(review_url, module_post(review))
    back = admin_client.get(review_url)  # Back re-fetches the review page of the same form
    order = Order.objects.get(client=account)
    html = back.content.decode()
    assert f"Order {order.code} was already placed; nothing was charged again." in html
    assert placed["Location"] in html and 'id="start-new"' in html
    assert [row["ticked"] for row in back.context["rows"]] == [True]  # as it was placed
    admin_client.post(review_url, module_post(back))
    assert Order.objects.filter(client=account).count() == 1
    assert len(order_charges(account)) == 2


@pytest.mark.parametrize("forge", ["tampered", "another user"])
def test_admin_order_with_a_forged_form_id_is_a_400_and_writes_nothing(admin_client, star, forge):
    account = factories.client(balance="50000.00")
    review = admin_client.get(place_url(account), {"step": "module", "i": star.pk}, follow=True)
    token = review.context["key_form"].initial["idempotency_key"]
    if forge == "tampered":
        token = tampered(token)
    else:
        other = StaffUserFactory(is_superuser=True)
        token = replay.issue(
            money_forms.ADMIN_ORDER_FORM, user_id=other.pk, scope=str(account.pk)
        ).token
    before = factories.row_counts()
    response = admin_client.post(place_url(account), module_post(review, idempotency_key=token))
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert factories.row_counts() == before


# --- portal: new order --------------------------------------------------------------------------


def test_portal_order_flow_redirects_once_to_carry_its_form_id(portal):
    first = portal.get(NEW, {"q": "x"})
    assert first.status_code == 302 and first["Location"].startswith(f"{NEW}?form=")
    assert "q=x" in first["Location"]
    page = portal.get(first["Location"])
    assert page.status_code == 200 and page.context["form_token"] == form_of(first)


def test_portal_order_resubmitted_places_one_order_and_says_so(portal, account, star):
    module = portal.get(NEW, {"step": "module", "i": star.pk}, follow=True)
    module_url = module.redirect_chain[-1][0]
    portal.post(module_url, module_post(module))
    back = portal.get(module_url)
    order = Order.objects.get(client=account)
    assert f"Order {order.code} was already placed" in back.content.decode()
    assert reverse("portal:order_detail", args=[order.code]) in back.content.decode()
    again = portal.post(module_url, module_post(back), follow=True)
    assert Order.objects.filter(client=account).count() == 1
    assert order_charges(account) == [
        (LedgerKind.BOOST_FEE, Decimal("-1000.00")),
        (LedgerKind.ORDER_CHARGE, Decimal("-10000.00")),
    ]
    assert "was already placed; nothing was charged again." in again.content.decode()


@pytest.mark.parametrize("forge", ["tampered", "another user", "expired"])
def test_portal_order_with_a_forged_or_stale_form_id_is_a_400_and_writes_nothing(
    portal, account, star, forge
):
    module = portal.get(NEW, {"step": "module", "i": star.pk}, follow=True)
    token = module.context["key_form"].initial["idempotency_key"]
    if forge == "tampered":
        token = tampered(token)
    elif forge == "another user":
        colleague = member_of(account, "bob")  # even a colleague at the same client
        token = replay.issue(
            money_forms.PORTAL_ORDER_FORM, user_id=colleague.pk, scope=str(account.pk)
        ).token
    before = factories.row_counts()
    with time_machine.travel(T0 + timedelta(hours=25 if forge == "expired" else 0), tick=False):
        response = portal.post(NEW, module_post(module, idempotency_key=token))
    assert response.status_code == 400
    assert "nothing was saved" in response.content.decode()
    assert 'id="start-new"' in response.content.decode()
    assert factories.row_counts() == before


def test_portal_form_ids_do_not_open_another_clients_flow(account, star, english):
    other = factories.client(balance="50000.00")
    outsider = HttpClient()
    outsider.force_login(member_of(other, "eve"))
    mine = HttpClient()
    mine.force_login(member_of(account, "carol"))
    token = form_of(mine.get(NEW))
    assert outsider.get(NEW, {"form": token}).status_code == 400
