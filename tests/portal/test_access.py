"""Who may see what: every portal page belongs to the logged-in user's client (DESIGN §9)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as HttpClient
from django.urls import reverse

from orders.models import Order
from tests import factories
from tests.factories import member_of

pytestmark = pytest.mark.django_db

PAGES = [
    ("portal:home", {}),
    ("portal:account", {}),
    ("portal:statement_csv", {}),
    ("portal:order_list", {}),
    ("portal:order_new", {}),
]


@pytest.fixture
def own_order(account):
    return factories.order(account, [factories.influencer()])


def page_urls(order) -> list[str]:
    return [reverse(name, kwargs=kwargs) for name, kwargs in PAGES] + [
        reverse("portal:order_detail", args=[order.code])
    ]


def test_anonymous_visitors_are_sent_to_the_login_page(client, own_order):
    for url in page_urls(own_order):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{reverse('login')}?next={url}", url


def test_users_without_a_client_get_a_plain_403_page(client, own_order, english):
    client.force_login(get_user_model().objects.create_user("nobody", password="x"))
    for url in page_urls(own_order):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"not linked to a client" in response.content


def test_staff_without_a_client_are_sent_to_the_admin(client, own_order):
    client.force_login(get_user_model().objects.create_user("ops", password="x", is_staff=True))
    for url in page_urls(own_order):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, reverse("admin:index")), url


def test_home_leads_a_client_user_to_the_orders(portal):
    response = portal.get("/")
    assert (response.status_code, response["Location"]) == (302, reverse("portal:order_list"))


def test_every_page_renders_for_its_client(portal, own_order):
    for url in page_urls(own_order):
        assert portal.get(url, follow=True).status_code == 200, url


def test_another_clients_order_is_answered_like_a_missing_one(portal, other_order):
    foreign = portal.get(reverse("portal:order_detail", args=[other_order.code]))
    missing = portal.get(reverse("portal:order_detail", args=["SB000000-NOPE00"]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    assert b"There is no such order in your account." in foreign.content
    assert b"csrfmiddlewaretoken" not in foreign.content  # nothing that differs per response
    assert other_order.code.encode() not in foreign.content


def test_lists_show_no_foreign_rows(portal, account, own_order, other_order, other_account):
    orders = portal.get(reverse("portal:order_list")).content.decode()
    assert own_order.code in orders and other_order.code not in orders
    for group in ("awaiting_publish", "active", "settled", "none"):
        page = portal.get(reverse("portal:order_list"), {"boosts": group}).content.decode()
        assert other_order.code not in page
    statement = portal.get(reverse("portal:account")).content.decode()
    assert own_order.code in statement and other_order.code not in statement
    assert "99,000.00" not in statement  # the other client's balance after its order
    csv_text = b"".join(portal.get(reverse("portal:statement_csv")).streaming_content).decode()
    assert own_order.code in csv_text and other_order.code not in csv_text
    assert csv_text.count("\n") == 1 + account.ledger_entries.count()


def test_two_users_of_one_client_see_the_same_orders(account, own_order, english):
    colleague = HttpClient()
    colleague.force_login(member_of(account, "bob"))
    assert own_order.code in colleague.get(reverse("portal:order_list")).content.decode()
    response = colleague.get(reverse("portal:order_detail", args=[own_order.code]))
    assert response.status_code == 200


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def strict(member) -> HttpClient:
    http = HttpClient(enforce_csrf_checks=True)
    http.force_login(member)
    return http


def token(http: HttpClient, url: str) -> str:
    http.get(url)
    return http.cookies["csrftoken"].value


def module_post_data(influencer, key: str) -> dict:
    return {
        "idempotency_key": key,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "1",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-influencer_id": str(influencer.pk),
        "lines-0-fixed_price": str(influencer.fixed_price),
        "lines-0-boost_fee": "",
        "confirm": "1",
    }


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("logout", {}),
        ("password_change", {"old_password": "s3cret-Pass!", "new_password1": "N3w-pass-phrase!"}),
        ("set_language", {"language": "en", "next": "/orders/"}),
    ],
)
def test_every_post_needs_a_csrf_token(strict, name, data):
    url = reverse(name)
    assert strict.post(url, data).status_code == 403
    data = {**data, "new_password2": data.get("new_password1", "")}
    response = strict.post(url, {**data, "csrfmiddlewaretoken": token(strict, "/orders/")})
    assert response.status_code == 302


def test_placing_an_order_needs_a_csrf_token(strict, account):
    influencer = factories.influencer()
    url = reverse("portal:order_new")
    form = strict.get(url, follow=True).context["form_token"]  # the flow's form id
    assert strict.post(url, module_post_data(influencer, form)).status_code == 403
    assert not Order.objects.filter(client=account).exists()
    data = {**module_post_data(influencer, form), "csrfmiddlewaretoken": token(strict, url)}
    assert strict.post(url, data).status_code == 302
    assert Order.objects.filter(client=account).count() == 1


@pytest.mark.parametrize("name", ["login", "password_reset"])
def test_anonymous_posts_need_a_csrf_token_too(name, member):
    http = HttpClient(enforce_csrf_checks=True)
    data = {"username": "alice", "password": "s3cret-Pass!", "email": "alice@example.com"}
    assert http.post(reverse(name), data).status_code == 403
    response = http.post(reverse(name), {**data, "csrfmiddlewaretoken": token(http, reverse(name))})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("top_ups", "shown"),
    [((), "¥0.00"), (("1500.50",), "¥1,500.50"), (("0.10", "0.20"), "¥0.30")],
)
def test_the_header_shows_the_balance_of_the_latest_entry_read_with_the_membership(
    english, django_assert_num_queries, top_ups, shown
):
    account = factories.client(balance="0")
    for n, amount in enumerate(top_ups):
        factories.top_up(account, Decimal(amount), now=factories.T0 + timedelta(hours=n))
    http = HttpClient()
    http.force_login(member_of(account, "bea"))
    # The session, the user, the client with its balance, the order, the unread notifications.
    with django_assert_num_queries(5):
        html = http.get(reverse("portal:order_detail", args=["SB000000-NOPE00"])).content.decode()
    assert f'class="balance-pill" href="{reverse("portal:account")}"' in html
    assert f">{shown}</a>" in html
