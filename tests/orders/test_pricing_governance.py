"""Pricing models as versions (DESIGN §4b): the audited live model, inputs, shadow quotes."""

from datetime import timedelta
from decimal import Decimal

import pytest

from orders import selectors, services
from orders.models import Boost, PricingModelChange, PricingSetting
from orders.pricing import reprice, shadow_model
from orders.services import LineRequest, OrderError
from tests import factories
from tests.factories import T0

pytestmark = pytest.mark.django_db

VIEWS = (18_000, 20_000, 22_000, 19_000, 21_000)


def _priced(name: str, now=T0):
    person = factories.influencer(price="10000.00", name=name, now=now)
    factories.make_history(person, VIEWS, now, refresh_quote=False)
    return person


def _order(person, key: str, now=T0) -> Boost:
    order, _created = services.place_order(
        client=factories.client(now=now),
        lines=[LineRequest(person.pk, boost=True)],
        idempotency_key=key,
        now=now,
    )
    return Boost.objects.get(line__order=order)


def test_the_live_model_is_v1_until_switched_and_each_switch_is_audited():
    assert selectors.live_model() == "v1"
    finance = factories.staff_in("Finance", "fin")
    change = services.switch_live_model(
        to_model="v2", actor=finance, reason="calibration is green", now=T0
    )
    assert selectors.live_model() == "v2"
    assert (change.from_model, change.to_model, change.actor, change.actor_name) == (
        "v1",
        "v2",
        finance,
        "fin",
    )
    assert change.reason == "calibration is green" and change.changed_at == T0
    assert PricingSetting.objects.get().changed_at == T0
    # The same model again changes nothing and records nothing.
    assert services.switch_live_model(to_model="v2", actor=finance, reason="again", now=T0) is None
    assert PricingModelChange.objects.count() == 1


@pytest.mark.parametrize(("model", "reason"), [("v3", "why"), ("v2", "   ")])
def test_a_switch_to_an_unknown_model_or_without_a_reason_writes_nothing(model, reason):
    with pytest.raises(OrderError):
        services.switch_live_model(to_model=model, actor=None, reason=reason, now=T0)
    assert selectors.live_model() == "v1"
    assert not PricingModelChange.objects.exists()


def test_switching_changes_only_new_quotes_and_boosts_keep_their_version():
    person = _priced("a")
    before = _order(person, "before")
    frozen = (before.pricing_model, before.boost_fee, before.expected_views, before.quote)
    assert before.pricing_model == "v1" and before.quote["model"] == "v1"

    services.switch_live_model(to_model="v2", actor=None, reason="try v2", now=T0)
    after = _order(person, "after", now=T0 + timedelta(minutes=1))

    before.refresh_from_db()
    assert (before.pricing_model, before.boost_fee, before.expected_views, before.quote) == frozen
    assert after.pricing_model == "v2" and after.quote["model"] == "v2"
    assert after.shadow_model == "v1"


def test_every_boost_records_the_other_models_quote_never_charged():
    person = _priced("b")
    boost = _order(person, "k")
    v2 = selectors.quote_influencers([person], now=T0, model="v2")[person.pk]
    assert boost.shadow_model == shadow_model("v1") == "v2"
    assert boost.shadow_eligible is v2.eligible
    assert (boost.shadow_expected_views, boost.shadow_premium_ratio, boost.shadow_boost_fee) == (
        v2.expected_views,
        v2.premium_ratio,
        v2.boost_fee,
    )
    assert boost.shadow_quote["model"] == "v2"
    assert boost.shadow_quote["credibility"]["shortfall_probability"] is not None
    # Only the live quote is charged.
    fees = boost.line.order.ledger_entries.filter(kind="boost_fee")
    assert [entry.amount for entry in fees] == [-boost.boost_fee]


def test_a_frozen_quote_reprices_from_its_own_record_under_either_model():
    person = _priced("c")
    boost = _order(person, "k")
    for record in (boost.quote, boost.shadow_quote):
        again = reprice(record)
        assert again.model == record["model"]
        assert again.expected_views == record["expected_views"]
        assert str(again.premium_ratio) == record["premium_ratio"]
        assert str(again.boost_fee) == record["boost_fee"]


def test_the_quote_cache_uses_the_live_model():
    person = _priced("d")
    services.refresh_quotes(now=T0)
    person.refresh_from_db()
    assert person.quote["model"] == "v1"
    services.switch_live_model(to_model="v2", actor=None, reason="go", now=T0)
    assert services.refresh_all_quotes(now=T0) == {"refreshed": 1}
    person.refresh_from_db()
    assert person.quote["model"] == "v2"
    assert person.quote["boost_fee"] == str(
        selectors.quote_influencers([person], now=T0, model="v2")[person.pk].boost_fee
    )


def test_the_v1_record_keeps_every_video_it_read():
    person = _priced("e")
    boost = _order(person, "k")
    assert len(boost.quote["inputs"]) == len(factories.STEADY) + len(VIEWS)
    assert boost.quote["rules"]["history_days"] == 45
    assert Decimal(boost.quote["fixed_price"]) == Decimal("10000.00")
