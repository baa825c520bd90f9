"""The live pricing model's admin page (DESIGN §4b): Finance switches it with a reason, audited."""

import pytest

from orders import selectors
from orders.models import PricingModelChange
from tests.settlements.test_admin import action_names, changelist, messages_of, run_action

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_finance_switches_the_live_model_on_an_action_page_with_a_reason(client, finance_user):
    client.force_login(finance_user)
    page = client.get(changelist("pricingsetting", "orders"))
    assert "switch_model" in action_names(page)
    form = client.post(
        changelist("pricingsetting", "orders"),
        {"action": "switch_model", "_selected_action": ["1"], "index": "0"},
    )
    assert form.templates[0].name == "admin/action_form.html"
    assert "keeps the model, the fee and the inputs" in form.content.decode()

    blank = run_action(client, "pricingsetting", "switch_model", [1], "orders", to_model="v2")
    assert blank.templates[0].name == "admin/action_form.html"  # the reason is required
    assert selectors.live_model() == "v1"

    done = run_action(
        client, "pricingsetting", "switch_model", [1], "orders", to_model="v2", reason="green"
    )
    assert "The live pricing model is now v2 (was v1)." in messages_of(done)
    change = PricingModelChange.objects.get()
    assert (change.actor, change.reason, change.to_model) == (finance_user, "green", "v2")
    trail = client.get(changelist("pricingmodelchange", "orders")).content.decode()
    assert "green" in trail


def test_operations_see_the_setting_but_cannot_switch_it(client, operations_user):
    client.force_login(operations_user)
    page = client.get(changelist("pricingsetting", "orders"))
    assert page.status_code == 200
    assert "switch_model" not in action_names(page)
    refused = run_action(
        client, "pricingsetting", "switch_model", [1], "orders", to_model="v2", reason="x"
    )
    assert selectors.live_model() == "v1"
    assert refused.status_code == 200
