"""The operator admin of the orders app: every page renders, changelists cost a constant number of
queries, read-only rows stay read-only, and the top-up and place-order views write exactly once
through the services (DESIGN §5, §8)."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kernel.display import yuan
from orders import models, selectors, services
from orders.services import SnapshotIn
from tests.factories import (
    ClientFactory,
    ClientMembershipFactory,
    HistoryVideoFactory,
    InfluencerFactory,
    StaffUserFactory,
    make_history,
    make_order,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ELIGIBLE_VIEWS = [20000, 30000, 25000]


def url(model, view: str = "changelist", *args) -> str:
    return reverse(f"admin:orders_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def world(frozen_now):
    """At least one row of every orders model, built through the services; the clock stopped at
    ``now`` so what the admin quotes agrees with the data."""
    now = frozen_now
    acme = ClientFactory(name="Acme Beauty", code="acme")
    ClientMembershipFactory(client=acme)
    star = InfluencerFactory(name="Star Li", platform_id="dy-star")
    make_history(star, ELIGIBLE_VIEWS, now)
    newbie = InfluencerFactory(name="New Wang", platform_id="dy-newbie")
    services.refresh_quotes(now=now, influencer_ids=[newbie.pk])
    order = make_order(acme, [star], now=now)
    services.top_up(
        client=acme, amount=Decimal("1000.00"), reason="Spare", idempotency_key="spare", now=now
    )
    line = order.lines.get()
    published = now + timedelta(hours=1)
    services.publish(line=line, video_id="v-star-1", published_at=published, now=published)
    observed = now + timedelta(hours=2)
    services.record_views(items=[SnapshotIn("v-star-1", observed, 5000)], now=observed)
    return SimpleNamespace(
        client=acme, star=star, newbie=newbie, order=order, line=line, boost=line.boost
    )


# --- Smoke: every page of every model renders ---------------------------------------------------

# model, a search term, a filter query string (formatted with the world's ids), whether adding is
# allowed in the admin.
PAGES = [
    (models.Client, "Acme", "balance=positive", True),
    (models.ClientMembership, "Acme", "client__id__exact={client}", True),
    (models.LedgerEntry, "Acme", "kind__exact=boost_fee", False),
    (models.Influencer, "Star", "quote=eligible&boost_enabled__exact=1", True),
    (models.HistoryVideo, "Star", "influencer__boost_enabled__exact=1", True),
    (models.Order, "Acme", "client__id__exact={client}", False),
    (models.OrderLine, "Star", "boost__status__exact=active", False),
    (models.Boost, "Star", "status__exact=active", False),
    (models.BoostEvent, "Star", "to_status=active", False),
    (models.ViewSnapshot, "v-star", "line__boost__status__exact=active", False),
]


@pytest.mark.parametrize(("model", "search", "filters", "can_add"), PAGES)
def test_every_admin_page_renders_for_a_superuser(
    admin_client, world, model, search, filters, can_add
):
    changelist = url(model)
    response = admin_client.get(changelist)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1

    response = admin_client.get(changelist, {"q": search})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1

    response = admin_client.get(f"{changelist}?{filters.format(client=world.client.pk)}")
    assert response.status_code == 200  # an unknown filter would redirect with ?e=1
    assert response.context["cl"].result_count >= 1

    row = model.objects.order_by("pk").first()
    assert admin_client.get(url(model, "change", row.pk)).status_code == 200

    assert admin_client.get(url(model, "add")).status_code == (200 if can_add else 403)


def test_client_list_and_form_show_balance_orders_and_money_links(admin_client, world):
    response = admin_client.get(url(models.Client))
    row = response.context["cl"].result_list[0]
    assert row.balance == Decimal("1000.00")  # make_order tops up exactly the order's total
    assert row.order_count == 1
    content = response.content.decode()
    assert reverse("admin:orders_client_top_up", args=[world.client.pk]) in content
    assert reverse("admin:orders_client_place_order", args=[world.client.pk]) in content

    response = admin_client.get(url(models.Client, "change", world.client.pk))
    content = response.content.decode()
    assert reverse("admin:orders_client_top_up", args=[world.client.pk]) in content
    assert reverse("admin:orders_client_place_order", args=[world.client.pk]) in content
    assert "Boost fee" in content  # the latest ledger entries
    assert f"client__id__exact={world.client.pk}" in content  # link to the whole ledger


def test_boost_list_shows_progress_against_expected_views(admin_client, world):
    response = admin_client.get(url(models.Boost))
    boost = response.context["cl"].result_list[0]
    assert boost.latest_views == 5000
    expected = world.boost.expected_views
    content = response.content.decode()
    assert f"{100 * 5000 / expected:.1f} %" in content
    assert f"{(world.boost.premium_ratio * 100):.0f} %" in content
    assert ">14 days, 1 hour<" in content  # left in the window: published an hour after "now"


def test_boost_awaiting_publish_counts_days_until_it_expires(admin_client, world, now):
    make_order(world.client, [world.star], now=now)
    response = admin_client.get(url(models.Boost), {"status__exact": "awaiting_publish"})
    assert response.context["cl"].result_count == 1
    assert ">31 days<" in response.content.decode()  # 10 March + 1 month = 10 April


def test_boost_form_is_read_only_and_explains_quote_and_cap(admin_client, world):
    change = url(models.Boost, "change", world.boost.pk)
    response = admin_client.get(change)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    content = response.content.decode()
    assert "<pre" in content and "Expected views E = " in content
    assert "the whole boost fee comes back" in content
    assert "v-star-1" in content
    assert admin_client.post(change, {"status": "cancelled"}).status_code == 403
    assert admin_client.post(url(models.Boost, "delete", world.boost.pk)).status_code == 403
    world.boost.refresh_from_db()
    assert world.boost.status == models.Boost.Status.ACTIVE


def test_order_form_lists_its_lines_read_only(admin_client, world):
    response = admin_client.get(url(models.Order, "change", world.order.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    content = response.content.decode()
    assert "Star Li" in content and "v-star-1" in content and "Active" in content
    assert admin_client.post(url(models.Order, "delete", world.order.pk)).status_code == 403


def test_quote_inputs_read_every_instant_in_shanghai_time(admin_client, world):
    """A re-quote stores ``+00:00`` instants; the admin shows them all as Beijing time."""
    quote = {**world.boost.quote, "as_of": "2026-03-10T02:00:00+00:00"}
    models.Boost.objects.filter(pk=world.boost.pk).update(quote=quote)
    content = admin_client.get(url(models.Boost, "change", world.boost.pk)).content.decode()
    assert "2026-03-10T10:00:00+08:00" in content
    assert "+00:00" not in content


def test_order_line_form_shows_the_fixed_price_as_money(admin_client, world):
    content = admin_client.get(url(models.OrderLine, "change", world.line.pk)).content.decode()
    price = world.line.fixed_price
    assert yuan(price) in content
    assert f"{price:f}" not in content


# --- Ledger entries are append-only ----------------------------------------------------------


def test_ledger_entries_cannot_be_added_changed_or_deleted_even_by_a_superuser(admin_client, world):
    entry = models.LedgerEntry.objects.filter(client=world.client).first()
    before = (entry.amount, entry.balance_after, models.LedgerEntry.objects.count())

    assert admin_client.get(url(models.LedgerEntry, "add")).status_code == 403
    assert admin_client.post(url(models.LedgerEntry, "add"), {"amount": "1.00"}).status_code == 403
    change = url(models.LedgerEntry, "change", entry.pk)
    response = admin_client.get(change)
    assert response.status_code == 200  # viewing is allowed
    assert not response.context["has_change_permission"]
    assert admin_client.post(change, {"amount": "999.00"}).status_code == 403
    assert admin_client.get(url(models.LedgerEntry, "delete", entry.pk)).status_code == 403
    assert admin_client.post(
        url(models.LedgerEntry, "delete", entry.pk), {"post": "yes"}
    ).status_code == (403)
    assert "delete_selected" not in admin_client.get(url(models.LedgerEntry)).content.decode()

    entry.refresh_from_db()
    assert (entry.amount, entry.balance_after, models.LedgerEntry.objects.count()) == before


# --- Query counts: a changelist costs the same with 5 or 20 rows -------------------------------


def _add_boosts(n, now):
    influencers = InfluencerFactory.create_batch(n)
    for influencer in influencers:
        make_history(influencer, ELIGIBLE_VIEWS, now, refresh_quote=False)
    order = make_order(ClientFactory(), influencers, now=now)
    # Publish and observe one line so the latest-views annotation has something to find.
    line = order.lines.order_by("pk").first()
    video = f"v-{line.pk}"
    services.publish(line=line, video_id=video, published_at=now, now=now)
    services.record_views(items=[SnapshotIn(video, now, 1234)], now=now)


def _add_clients(n, now):
    for client in ClientFactory.create_batch(n):
        services.top_up(
            client=client,
            amount=Decimal("100.00"),
            reason="Test",
            idempotency_key=f"test:{client.pk}",
            now=now,
        )
        ClientMembershipFactory(client=client)


def _add_influencers(n, now):
    InfluencerFactory.create_batch(n)
    services.refresh_quotes(now=now)


def _add_history(n, now):
    HistoryVideoFactory.create_batch(n, published_at=now - timedelta(days=2))


def _add_orders(n, now):
    client = ClientFactory()
    influencer = InfluencerFactory()
    make_history(influencer, ELIGIBLE_VIEWS, now)
    for _ in range(n):
        make_order(client, [influencer], now=now)


def _add_snapshots(n, now):
    influencer = InfluencerFactory()
    make_history(influencer, ELIGIBLE_VIEWS, now)
    line = make_order(ClientFactory(), [influencer], now=now).lines.get()
    video = f"v-{line.pk}"
    services.publish(line=line, video_id=video, published_at=now, now=now)
    services.record_views(
        items=[SnapshotIn(video, now + timedelta(hours=h), 100 * h) for h in range(n)],
        now=now + timedelta(days=10),
    )


@pytest.mark.parametrize(
    ("model", "add_rows"),
    [
        (models.Boost, _add_boosts),
        (models.LedgerEntry, _add_boosts),
        (models.OrderLine, _add_boosts),
        (models.BoostEvent, _add_boosts),
        (models.Client, _add_clients),
        (models.ClientMembership, _add_clients),
        (models.Influencer, _add_influencers),
        (models.HistoryVideo, _add_history),
        (models.Order, _add_orders),
        (models.ViewSnapshot, _add_snapshots),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, now, model, add_rows):
    add_rows(5, now)
    changelist = url(model)
    assert admin_client.get(changelist).status_code == 200  # warm caches (content types, …)
    with CaptureQueriesContext(connection) as few:
        response = admin_client.get(changelist)
    few_rows = len(response.context["cl"].result_list)
    assert 5 <= few_rows <= 20

    add_rows(15, now)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(changelist)
    many_rows = len(response.context["cl"].result_list)
    assert many_rows >= 20 and many_rows > few_rows  # more rows on the page: an N+1 would show
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


# --- Top up ----------------------------------------------------------------------------------


def _top_up_form(admin_client, client):
    top_up = reverse("admin:orders_client_top_up", args=[client.pk])
    response = admin_client.get(top_up, follow=True)
    assert response.status_code == 200
    return top_up, response.context["form"].initial["idempotency_key"]


def test_top_up_posted_twice_credits_once(admin_client, admin_user):
    acme = ClientFactory()
    top_up, key = _top_up_form(admin_client, acme)
    data = {"amount": "1500.50", "reason": "Bank transfer 2026-0310", "idempotency_key": key}

    first = admin_client.post(top_up, data)
    second = admin_client.post(top_up, data)

    assert first.status_code == second.status_code == 302
    assert first.url == url(models.Client, "change", acme.pk)
    entry = models.LedgerEntry.objects.get(client=acme)
    assert (entry.kind, entry.amount, entry.reason) == (
        models.LedgerKind.TOP_UP,
        Decimal("1500.50"),
        "Bank transfer 2026-0310",
    )
    assert entry.created_by == admin_user
    assert selectors.client_balance(acme) == Decimal("1500.50")
    page = admin_client.get(first.url).content.decode()
    assert "already credited" in page


def test_a_new_top_up_form_credits_again(admin_client):
    acme = ClientFactory()
    for _ in range(2):
        top_up, key = _top_up_form(admin_client, acme)
        data = {"amount": "100.00", "reason": "Transfer", "idempotency_key": key}
        assert admin_client.post(top_up, data).status_code == 302
    assert selectors.client_balance(acme) == Decimal("200.00")


@pytest.mark.parametrize(
    ("amount", "reason", "field"),
    [
        ("0", "Transfer", "amount"),
        ("-5.00", "Transfer", "amount"),
        ("12.345", "Transfer", "amount"),
        ("abc", "Transfer", "amount"),
        ("", "Transfer", "amount"),
        ("100.00", "", "reason"),
        ("100.00", "   ", "reason"),
    ],
)
def test_top_up_with_a_bad_amount_or_no_reason_writes_nothing(admin_client, amount, reason, field):
    acme = ClientFactory()
    top_up, key = _top_up_form(admin_client, acme)
    response = admin_client.post(
        top_up, {"amount": amount, "reason": reason, "idempotency_key": key}
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert "Nothing was credited" in response.content.decode()
    assert not models.LedgerEntry.objects.exists()


def test_top_up_refuses_a_reused_form_with_another_amount(admin_client):
    acme = ClientFactory()
    top_up, key = _top_up_form(admin_client, acme)
    admin_client.post(top_up, {"amount": "100.00", "reason": "Transfer", "idempotency_key": key})
    response = admin_client.post(
        top_up, {"amount": "900.00", "reason": "Transfer", "idempotency_key": key}
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert selectors.client_balance(acme) == Decimal("100.00")


def test_staff_with_the_money_permissions_see_and_use_the_money_views(client):
    acme = ClientFactory()
    staff = StaffUserFactory()
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="orders",
            codename__in=["view_client", "add_ledgerentry", "add_order"],
        )
    )
    client.force_login(staff)
    page = client.get(url(models.Client, "change", acme.pk)).content.decode()
    assert reverse("admin:orders_client_top_up", args=[acme.pk]) in page
    assert reverse("admin:orders_client_place_order", args=[acme.pk]) in page
    top_up, key = _top_up_form(client, acme)
    data = {"amount": "10.00", "reason": "Transfer", "idempotency_key": key}
    assert client.post(top_up, data).status_code == 302
    assert models.LedgerEntry.objects.get(client=acme).created_by == staff


def test_top_up_needs_the_ledger_add_permission(client, now):
    acme = ClientFactory()
    staff = StaffUserFactory()
    client.force_login(staff)
    assert client.get(reverse("admin:orders_client_top_up", args=[acme.pk])).status_code == 403
    assert client.get(reverse("admin:orders_client_place_order", args=[acme.pk])).status_code == 403


# --- Place an order --------------------------------------------------------------------------


@pytest.fixture
def shop(frozen_now):
    """A client with money, an eligible and an ineligible influencer; the clock stopped at now."""
    acme = ClientFactory(name="Acme Beauty")
    star = InfluencerFactory(name="Star Li", platform_id="dy-star")
    make_history(star, ELIGIBLE_VIEWS, frozen_now)
    newbie = InfluencerFactory(name="New Wang", platform_id="dy-newbie")
    services.refresh_quotes(now=frozen_now, influencer_ids=[newbie.pk])
    return SimpleNamespace(
        client=acme,
        star=star,
        newbie=newbie,
        place=reverse("admin:orders_client_place_order", args=[acme.pk]),
        quote=selectors.quote_influencers([star], now=frozen_now)[star.pk],
    )


def _fund(client, amount: str, now):
    services.top_up(
        client=client,
        amount=Decimal(amount),
        reason="Test",
        idempotency_key=f"fund:{client.pk}:{amount}",
        now=now,
    )


def _review(admin_client, shop, influencers):
    response = admin_client.get(
        shop.place,
        {"step": "module", "i": [influencer.pk for influencer in influencers]},
        follow=True,
    )
    assert response.status_code == 200
    assert "formset" in response.context
    return response


def _confirm_data(review, *, boost=(), action="confirm") -> dict:
    """The POST a browser sends from the review page, ticking the boosts of ``boost``."""
    formset = review.context["formset"]
    management = formset.management_form
    data = {management.add_prefix(name): value for name, value in management.initial.items()}
    ticked = {influencer.pk for influencer in boost}
    for form in formset:
        for name in ("influencer_id", "fixed_price", "boost_fee"):
            value = form.initial.get(name)
            data[form.add_prefix(name)] = "" if value is None else str(value)
        if form.initial["influencer_id"] in ticked:
            data[form.add_prefix("boost")] = "on"
    data["idempotency_key"] = str(review.context["key_form"].initial["idempotency_key"])
    data[action] = "1"
    return data


def test_step_one_lists_and_searches_influencers(admin_client, shop):
    response = admin_client.get(shop.place, follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Star Li" in content and "New Wang" in content

    response = admin_client.get(shop.place, {"q": "dy-star", "i": [shop.newbie.pk]}, follow=True)
    content = response.content.decode()
    assert "Star Li" in content
    # The picked influencer outside the search stays picked, as a ticked box.
    assert f'name="i" value="{shop.newbie.pk}" checked' in content
    assert [row["influencer"] for row in response.context["rows"]] == [shop.star]


def test_step_one_pages_long_lists(admin_client, shop):
    InfluencerFactory.create_batch(30)
    first = admin_client.get(shop.place, follow=True)
    second = admin_client.get(shop.place, {"page": 2}, follow=True)
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == models.Influencer.objects.count() - 25


def test_continuing_with_nobody_picked_says_so(admin_client, shop):
    response = admin_client.get(shop.place, {"step": "module"}, follow=True)
    assert "Pick at least one influencer." in response.content.decode()


def test_review_shows_quote_for_eligible_and_reason_for_ineligible(admin_client, shop):
    review = _review(admin_client, shop, [shop.star, shop.newbie])
    content = review.content.decode()
    quote = shop.quote
    assert quote.eligible
    assert f"{quote.expected_views:,}" in content
    assert f"{quote.premium_ratio * 100:.0f} %" in content
    assert str(quote.boost_fee) in content
    assert "Not enough recent history videos" in content
    assert "the whole boost fee comes back" in content
    boxes = {row["influencer"]: row["form"]["boost"] for row in review.context["rows"]}
    assert "disabled" in str(boxes[shop.newbie]) and "disabled" not in str(boxes[shop.star])
    preview = review.context["preview"]
    assert preview.total_fixed == Decimal("20000.00") and preview.total_fees == 0


def test_update_totals_counts_the_ticked_boosts(admin_client, shop):
    review = _review(admin_client, shop, [shop.star, shop.newbie])
    response = admin_client.post(
        shop.place, _confirm_data(review, boost=[shop.star], action="update")
    )
    assert response.status_code == 200
    assert response.context["preview"].total_fees == shop.quote.boost_fee
    assert not models.Order.objects.exists()


def test_confirm_places_one_order_and_charges_each_line_once(admin_client, shop, admin_user):
    _fund(shop.client, "50000.00", shop.quote.as_of)
    review = _review(admin_client, shop, [shop.star, shop.newbie])
    data = _confirm_data(review, boost=[shop.star])

    first = admin_client.post(shop.place, data)
    second = admin_client.post(shop.place, data)

    order = models.Order.objects.get()
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == url(models.Order, "change", order.pk)
    assert order.placed_by == admin_user
    charges = models.LedgerEntry.objects.filter(order=order)
    assert sorted(charges.values_list("kind", "amount")) == sorted(
        [
            (models.LedgerKind.BOOST_FEE, -shop.quote.boost_fee),
            (models.LedgerKind.ORDER_CHARGE, Decimal("-10000.00")),
            (models.LedgerKind.ORDER_CHARGE, Decimal("-10000.00")),
        ]
    )
    boost = models.Boost.objects.get()
    assert boost.line.influencer == shop.star
    assert boost.boost_fee == shop.quote.boost_fee
    expected_balance = Decimal("30000.00") - shop.quote.boost_fee
    assert selectors.client_balance(shop.client) == expected_balance
    page = admin_client.get(first.url).content.decode()
    assert order.code in page


def test_insufficient_balance_is_shown_and_nothing_is_written(admin_client, shop):
    _fund(shop.client, "10000.00", shop.quote.as_of)
    review = _review(admin_client, shop, [shop.star])
    response = admin_client.post(shop.place, _confirm_data(review, boost=[shop.star]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Insufficient balance" in content
    assert "Nothing was ordered or charged" in content
    assert not models.Order.objects.exists() and not models.Boost.objects.exists()
    assert models.LedgerEntry.objects.count() == 1  # only the top-up


def test_a_price_change_after_review_is_refused(admin_client, shop):
    _fund(shop.client, "50000.00", shop.quote.as_of)
    review = _review(admin_client, shop, [shop.star])
    models.Influencer.objects.filter(pk=shop.star.pk).update(fixed_price=Decimal("12000.00"))

    response = admin_client.post(shop.place, _confirm_data(review, boost=[shop.star]))

    assert response.status_code == 200
    assert "changed to 12000.00" in response.content.decode()
    assert not models.Order.objects.exists()
    # The page shows the new price, so confirming again buys at the price now shown.
    response = admin_client.post(shop.place, _confirm_data(response, boost=[shop.star]))
    assert response.status_code == 302
    assert models.Order.objects.get().lines.get().fixed_price == Decimal("12000.00")


def test_ticking_an_ineligible_boost_is_refused(admin_client, shop):
    _fund(shop.client, "50000.00", shop.quote.as_of)
    review = _review(admin_client, shop, [shop.newbie])
    response = admin_client.post(shop.place, _confirm_data(review, boost=[shop.newbie]))
    assert response.status_code == 200
    assert "Boost is not available for New Wang" in response.content.decode()
    assert not models.Order.objects.exists()


# --- Quotes follow their inputs ----------------------------------------------------------------


def test_saving_an_influencer_refreshes_its_quote(admin_client, world):
    star = world.star
    response = admin_client.post(
        url(models.Influencer, "change", star.pk),
        {
            "name": star.name,
            "platform_id": star.platform_id,
            "fixed_price": "20000.00",
            "boost_enabled": "on",
        },
    )
    assert response.status_code == 302
    star.refresh_from_db()
    assert star.quote["fixed_price"] == "20000.00"
    assert Decimal(star.quote["boost_fee"]) == Decimal("20000.00") * Decimal(
        star.quote["premium_ratio"]
    )


def test_refresh_quotes_action_requotes_the_selected_influencers(admin_client, world):
    models.Influencer.objects.update(quote=None, quoted_at=None)
    response = admin_client.post(
        url(models.Influencer),
        {"action": "refresh_quotes", "_selected_action": [world.star.pk]},
        follow=True,
    )
    assert "Refreshed 1 quote." in response.content.decode()
    world.star.refresh_from_db()
    world.newbie.refresh_from_db()
    assert world.star.quote["eligible"] is True
    assert world.newbie.quote is None


def test_deleting_a_history_video_refreshes_the_quote(admin_client, world):
    video = world.star.history_videos.order_by("published_at").first()
    response = admin_client.post(url(models.HistoryVideo, "delete", video.pk), {"post": "yes"})
    assert response.status_code == 302
    world.star.refresh_from_db()
    assert world.star.quote["eligible"] is False
    assert world.star.quote["reason"] == "not_enough_history"


def test_adding_a_history_video_refreshes_the_quote(admin_client, world, now):
    newbie = world.newbie
    for day in range(1, 4):
        response = admin_client.post(
            url(models.HistoryVideo, "add"),
            {
                "influencer": newbie.pk,
                "platform_video_id": f"hv-newbie-{day}",
                "published_at_0": (now - timedelta(days=day)).strftime("%Y-%m-%d"),
                "published_at_1": "10:00:00",
                "views": "8000",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
    newbie.refresh_from_db()
    assert newbie.quote["eligible"] is True
    assert newbie.quote["expected_views"] == 8000
