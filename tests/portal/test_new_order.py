"""Placing an order from the portal: pick influencers, then the 视频助推 module (DESIGN §4, §5)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from orders import selectors, services
from orders.models import Boost, Influencer, LedgerEntry, Order
from tests import factories
from tests.factories import T0, member_of

pytestmark = pytest.mark.django_db

NEW = "/orders/new/"


@pytest.fixture(autouse=True)
def clock(frozen_now):
    """The pages read ``timezone.now()``; the factories' histories are fresh at T0."""
    return frozen_now


@pytest.fixture
def people():
    """Two boostable influencers (E = 20,000, r = 10 %) and one without the boost service."""
    a = factories.influencer(price="10000.00")
    b = factories.influencer(price="8000.00")
    off = factories.influencer(price="5000.00", enabled=False)
    services.refresh_quotes(now=T0)
    return a, b, off


def module(portal, *influencers):
    response = portal.get(
        NEW, [("step", "module")] + [("i", p.pk) for p in influencers], follow=True
    )
    assert response.status_code == 200
    return response


def confirm_data(response, ticks: set[int], **override) -> dict:
    """What the rendered module posts back when the client ticks ``ticks`` and confirms."""
    formset = response.context["formset"]
    data = {
        "idempotency_key": str(response.context["key_form"].initial["idempotency_key"]),
        **{f"lines-{k}": v for k, v in formset.management_form.initial.items()},
        "confirm": "1",
    }
    for n, form in enumerate(formset):
        pk = form.initial["influencer_id"]
        data[f"lines-{n}-influencer_id"] = pk
        data[f"lines-{n}-fixed_price"] = form.initial["fixed_price"]
        data[f"lines-{n}-boost_fee"] = form.initial["boost_fee"] or ""
        if pk in ticks:
            data[f"lines-{n}-boost"] = "on"
    data.update(override)
    return data


def test_pick_page_lists_influencers_with_price_and_cached_quote(portal, people):
    a, _b, off = people
    html = portal.get(NEW, follow=True).content.decode()
    assert a.name in html and "¥10,000.00" in html and "¥1,000.00" in html and "20,000" in html
    assert off.name in html and "Boost service not enabled" in html


def test_pick_page_searches_by_name_and_platform_id(portal, people):
    a, b, _off = people
    by_id = portal.get(NEW, {"q": a.platform_id}, follow=True).content.decode()
    assert a.name in by_id and b.name not in by_id
    by_name = portal.get(NEW, {"q": b.name}, follow=True).content.decode()
    assert b.name in by_name and a.name not in by_name


def test_pick_page_is_paginated_and_keeps_picks_from_other_pages(portal, people):
    for n in range(25):  # "A…" sorts before "达人…", so page 1 is all of these
        Influencer.objects.create(platform_id=f"bulk{n:02}", name=f"A{n:02}", fixed_price=100)
    picked = people[0].pk
    first = portal.get(NEW, {"i": picked}, follow=True)
    assert first.context["page"].paginator.num_pages == 2
    assert f'<input type="hidden" name="i" value="{picked}">' in first.content.decode()
    second = portal.get(NEW, {"i": picked, "page": 2}, follow=True).content.decode()
    assert f'value="{picked}" id="pick-{picked}" checked' in second


def test_module_shows_each_influencers_boost_or_why_not(portal, people):
    a, b, off = people
    html = module(portal, a, b, off).content.decode()
    assert html.count("Available") == 2
    assert "Not available: Boost service not enabled" in html
    assert "20,000" in html and "10 %" in html
    assert "¥1,000.00" in html and "¥800.00" in html
    assert "Below about 91 % of the expected views, the whole fee comes back." in html
    # Nothing ticked yet: the total is the fixed prices; the balance after follows.
    assert "¥23,000.00" in html and "¥77,000.00" in html


def test_module_refuses_without_any_pick(portal):
    response = portal.get(NEW, {"step": "module"}, follow=True)
    assert "Pick at least one influencer." in response.content.decode()


def test_placing_an_order_with_two_boosts_charges_prices_and_fees(portal, account, people):
    a, b, off = people
    before = selectors.client_balance(account)
    page = module(portal, a, b, off)
    response = portal.post(NEW, confirm_data(page, {a.pk, b.pk}))
    order = Order.objects.get(client=account)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:order_detail", args=[order.code])
    assert before - selectors.client_balance(account) == Decimal("23000.00") + Decimal("1800.00")
    boosts = Boost.objects.filter(line__order=order)
    assert sorted(b.boost_fee for b in boosts) == [Decimal("800.00"), Decimal("1000.00")]
    assert order.lines.count() == 3
    assert order.placed_by.username == "alice"
    detail = portal.get(response["Location"]).content.decode()
    assert f"Order {order.code} is placed and paid. Your balance is now ¥75,200.00." in detail


def test_a_double_submit_places_one_order(portal, account, people):
    a, b, _off = people
    data = confirm_data(module(portal, a, b), {a.pk, b.pk})
    first = portal.post(NEW, data)
    second = portal.post(NEW, data)
    assert Order.objects.filter(client=account).count() == 1
    assert first["Location"] == second["Location"]
    assert LedgerEntry.objects.filter(client=account, order__isnull=False).count() == 4
    page = portal.get(second["Location"]).content.decode()
    assert "was already placed; nothing was charged again." in page


def test_the_same_page_with_other_ticks_after_placing_gets_a_new_key(portal, account, people):
    a, b, _off = people
    page = module(portal, a, b)
    portal.post(NEW, confirm_data(page, {a.pk}))
    response = portal.post(NEW, confirm_data(page, {a.pk, b.pk}))
    assert "was already used for order" in response.content.decode()
    assert (
        response.context["key_form"].initial["idempotency_key"]
        != (page.context["key_form"].initial["idempotency_key"])
    )
    assert Order.objects.filter(client=account).count() == 1


def test_insufficient_balance_says_how_much_is_missing_and_writes_nothing(portal, people):
    a, b, _off = people
    poor = factories.client(balance="19000.00")  # the order costs 18,000 + 1,800 in fees
    portal.force_login(member_of(poor, "dave"))
    page = module(portal, a, b)
    assert "Your balance is not enough for this order." in page.content.decode()
    counts = factories.row_counts()
    response = portal.post(NEW, confirm_data(page, {a.pk, b.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "Your balance is not enough: this order costs ¥19,800.00 and your balance is "
        "¥19,000.00, so ¥800.00 is missing. Nothing was charged." in html
    )
    assert factories.row_counts() == counts
    assert selectors.client_balance(poor) == Decimal("19000.00")


def test_a_short_balance_links_to_how_to_top_up(portal, people):
    a, b, _off = people
    poor = factories.client(balance="19000.00")
    portal.force_login(member_of(poor, "dave"))
    link = f'<a href="{reverse("portal:top_up")}" id="how-to-top-up">How to top up</a>'
    page = module(portal, a, b)
    assert link in page.content.decode()
    refused = portal.post(NEW, confirm_data(page, {a.pk, b.pk}))
    assert link in refused.content.decode()


def test_the_module_labels_each_value_for_the_phone_cards(portal, people):
    a, b, _off = people
    html = module(portal, a, b).content.decode()
    for label in ("Fixed price", "Boost service", "Expected views", "Premium ratio", "Boost fee"):
        assert html.count(f'data-label="{label}"') == 2, label


def test_a_price_changed_since_the_page_was_shown_is_refused_plainly(portal, account, people):
    a, b, _off = people
    page = module(portal, a, b)
    Influencer.objects.filter(pk=a.pk).update(fixed_price=Decimal("12000.00"))
    counts = factories.row_counts()
    response = portal.post(NEW, confirm_data(page, {a.pk, b.pk}))
    html = response.content.decode()
    assert f"The price of {a.name} changed to 12000.00; please review the order again." in html
    assert factories.row_counts() == counts
    # The module now shows the new price, ready to confirm again.
    assert "¥12,000.00" in html


def test_a_forged_tick_on_an_unavailable_boost_is_refused(portal, account, people):
    a, _b, off = people
    page = module(portal, a, off)
    counts = factories.row_counts()
    response = portal.post(NEW, confirm_data(page, {off.pk}))
    assert (
        f"Boost is not available for {off.name}: Boost service not enabled"
        in response.content.decode()
    )
    assert factories.row_counts() == counts


def test_update_totals_keeps_the_ticks_and_writes_nothing(portal, account, people):
    a, b, _off = people
    page = module(portal, a, b)
    data = confirm_data(page, {b.pk})
    del data["confirm"]
    data["update"] = "1"
    counts = factories.row_counts()
    response = portal.post(NEW, data)
    assert factories.row_counts() == counts
    assert response.context["preview"].total_fees == Decimal("800.00")
    assert (
        response.context["key_form"].initial["idempotency_key"]
        == (page.context["key_form"].initial["idempotency_key"])
    )


def test_a_tampered_form_goes_back_to_picking(portal, account, people):
    response = portal.post(NEW, {"idempotency_key": "not-a-uuid", "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == NEW
    assert not Order.objects.filter(client=account).exists()
