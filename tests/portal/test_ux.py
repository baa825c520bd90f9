"""What a client expects of the portal (issue 17): finding orders, reading the statement, knowing
how to top up, a header on every page, one way of writing a time left, Chinese first."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kernel.display import duration
from portal.names import influencer_names
from tests import factories
from tests.factories import T0

from .conftest import PUBLISHED, at

pytestmark = pytest.mark.django_db


def words(response) -> str:
    """The visible words of a page, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def order_codes(response) -> list[str]:
    return [row["order"].code for row in response.context["rows"]]


def people(*names: str, price: str = "100.00"):
    """Influencers with a small fixed price, quoted as of ``T0``."""
    return [factories.influencer(name=name, price=price) for name in names]


# --- Orders: search, days placed, influencer names -----------------------------------------------


def test_order_search_matches_the_code_or_an_influencer(portal, account):
    first = factories.order(account, people("美妆小王", "旅行阿福"))
    second = factories.order(account, people("健身教练"), now=T0 + timedelta(hours=1))
    url = reverse("portal:order_list")
    assert order_codes(portal.get(url, {"q": "阿福"})) == [first.code]
    assert order_codes(portal.get(url, {"q": second.code[-6:].lower()})) == [second.code]
    platform_id = second.lines.get().influencer.platform_id
    assert order_codes(portal.get(url, {"q": platform_id})) == [second.code]
    assert order_codes(portal.get(url, {"q": "nobody"})) == []
    assert "No orders match this filter." in words(portal.get(url, {"q": "nobody"}))


def test_order_days_are_beijing_calendar_days_both_ends_included(portal, account):
    # 00:30 in Beijing is still the previous day in UTC: the filter takes the Beijing day.
    early = factories.order(account, people("早"), boost=False, now=T0.replace(hour=0, minute=30))
    late = factories.order(account, people("晚"), boost=False, now=T0.replace(hour=23, minute=59))
    next_day = factories.order(account, people("次日"), boost=False, now=T0 + timedelta(days=1))
    url = reverse("portal:order_list")
    same_day = portal.get(url, {"start": "2026-03-10", "end": "2026-03-10"})
    assert order_codes(same_day) == [late.code, early.code]
    assert order_codes(portal.get(url, {"start": "2026-03-11"})) == [next_day.code]
    assert order_codes(portal.get(url, {"end": "2026-03-09"})) == []


def test_reversed_days_are_an_error_and_filter_nothing(portal, account):
    order = factories.order(account, people("甲"))
    response = portal.get(
        reverse("portal:order_list"), {"start": "2026-03-12", "end": "2026-03-10"}
    )
    assert order_codes(response) == [order.code]
    assert "The first day is after the last day." in words(response)


def test_filters_are_kept_by_the_stage_tabs_and_the_page_links(portal, account):
    for i in range(21):
        factories.order(account, people(f"阿福{i}"), now=T0 + timedelta(minutes=i))
    response = portal.get(reverse("portal:order_list"), {"q": "阿福", "start": "2026-03-10"})
    html = response.content.decode()
    assert 'href="?q=%E9%98%BF%E7%A6%8F&amp;start=2026-03-10&amp;page=2"' in html
    assert 'href="/orders/?boosts=settled&amp;q=%E9%98%BF%E7%A6%8F&amp;start=2026-03-10"' in html
    second = portal.get(
        reverse("portal:order_list"), {"q": "阿福", "start": "2026-03-10", "page": "2"}
    )
    assert len(second.context["rows"]) == 1


def test_the_order_list_names_the_influencers(portal, account):
    factories.order(account, people("甲", "乙"))
    factories.order(account, people("子", "丑", "寅", "卯", "辰"), now=T0 + timedelta(hours=1))
    text = words(portal.get(reverse("portal:order_list")))
    assert "子, 丑, 寅 and 2 more" in text
    assert "甲, 乙" in text


def test_influencer_names_read_as_chinese_in_chinese():
    with translation.override("zh-hans"):
        assert influencer_names(["子", "丑", "寅", "卯", "辰"]) == "子、丑、寅 及另外 2 位达人"
        assert influencer_names(["甲", "乙"]) == "甲、乙"


def test_the_order_list_costs_the_same_queries_for_one_order_or_many(portal, account):
    factories.order(account, people("甲"))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert portal.get(reverse("portal:order_list")).status_code == 200
        return len(captured)

    one = queries()
    for i in range(5):
        factories.order(account, people(f"乙{i}", f"丙{i}"), now=T0 + timedelta(hours=i + 1))
    assert queries() == one


# --- Statement: influencer names, filters by kind and day, totals by kind ------------------------


def statement(portal, **params):
    return portal.get(reverse("portal:account"), params)


def csv_rows(portal, **params) -> list[list[str]]:
    response = portal.get(reverse("portal:statement_csv"), params)
    body = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(body[1:])))


def test_each_order_charge_names_the_influencer_it_pays(portal, account):
    # Both at ¥100.00: the amount cannot tell the two charges apart, the line's key does.
    order = factories.order(account, people("美妆小王", "旅行阿福"), boost=False)
    rows = [r for r in statement(portal).context["rows"] if r.entry.order_id == order.pk]
    assert [(r.entry.kind, r.influencer_name) for r in rows] == [
        ("order_charge", "旅行阿福"),
        ("order_charge", "美妆小王"),
    ]
    text = words(statement(portal))
    assert f"{order.code} · 旅行阿福" in text and f"{order.code} · 美妆小王" in text
    charges = [r[4:6] for r in csv_rows(portal) if r[1] == "Order charge"]
    assert charges == [[order.code, "美妆小王"], [order.code, "旅行阿福"]]


def test_naming_the_charged_influencers_costs_no_query_per_entry(portal, account):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert statement(portal).status_code == 200
        return len(captured)

    factories.order(account, people("甲"), boost=False)
    one = queries()
    for i in range(4):
        factories.order(account, people(f"乙{i}", f"丙{i}"), now=T0 + timedelta(hours=i + 1))
    assert queries() == one


def test_the_statement_filters_by_kind_and_day(portal, account):
    factories.order(account, people("甲"))  # 2026-03-10: order charge and boost fee
    factories.top_up(account, Decimal("500.00"), now=T0 + timedelta(days=2))
    kinds = [r.entry.kind for r in statement(portal, kind="top_up").context["rows"]]
    assert kinds == ["top_up", "top_up"]
    later = statement(portal, start="2026-03-11").context["rows"]
    assert [(r.entry.kind, r.entry.amount) for r in later] == [("top_up", Decimal("500.00"))]
    fee = statement(portal, kind="boost_fee", end="2026-03-10").context["rows"]
    assert [r.entry.kind for r in fee] == ["boost_fee"]
    assert "No entries match this filter." in words(statement(portal, kind="refund"))


def test_the_statement_totals_each_kind_over_every_page_the_filter_keeps(portal, account):
    factories.order(account, people("甲", price="10000.00"))
    for i in range(55):
        factories.top_up(account, Decimal("10.00"), now=T0 + timedelta(minutes=i + 1))
    response = statement(portal)
    assert len(response.context["rows"]) == 50
    totals = {
        t["kind"]: (t["label"], t["count"], t["sum"]) for t in response.context["kind_totals"]
    }
    assert totals == {
        "top_up": ("Top-up", "56", "+¥100,550.00"),
        "order_charge": ("Order charge", "1", "−¥10,000.00"),
        "boost_fee": ("Boost fee", "1", "−¥1,000.00"),
    }
    only = statement(portal, kind="boost_fee").context["kind_totals"]
    assert [(t["kind"], t["count"], t["sum"]) for t in only] == [("boost_fee", "1", "−¥1,000.00")]
    assert 'id="kind-totals"' in response.content.decode()


def test_the_statement_csv_follows_the_filter(portal, account):
    factories.order(account, people("甲"))
    rows = csv_rows(portal, kind="order_charge")
    assert [r[1] for r in rows[1:]] == ["Order charge"]
    html = statement(portal, kind="order_charge").content.decode()
    assert 'href="/account/statement.csv?kind=order_charge"' in html
    assert len(csv_rows(portal)) == 1 + 3  # unfiltered: the whole statement


def test_statement_filters_never_show_another_clients_entries(portal, account, other_order):
    rows = statement(portal, start="2026-01-01", end="2026-12-31").context["rows"]
    assert {r.entry.client_id for r in rows} == {account.pk}
    totals = statement(portal).context["kind_totals"]
    assert [(t["kind"], t["count"]) for t in totals] == [("top_up", "1")]


# --- Topping up ------------------------------------------------------------------------------


def test_the_top_up_page_says_how_with_the_clients_reference(portal, account):
    response = portal.get(reverse("portal:top_up"))
    assert response.status_code == 200
    text = words(response)
    assert f"client code {account.code} as the reference" in text
    assert "Account balance ¥100,000.00" in text
    assert reverse("portal:top_up") in statement(portal).content.decode()


def test_the_top_up_page_is_for_client_users_only(client, account):
    response = client.get(reverse("portal:top_up"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- The header on every page ----------------------------------------------------------------


def test_the_not_found_page_keeps_the_tabs_and_the_balance_but_no_form(portal, other_order):
    foreign = portal.get(reverse("portal:order_detail", args=[other_order.code]))
    missing = portal.get(reverse("portal:order_detail", args=["SB000000-NOPE00"]))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.content == missing.content
    html = foreign.content.decode()
    assert 'class="balance-pill"' in html and "¥100,000.00" in html
    assert 'class="mainnav"' in html and reverse("password_change") in html
    assert "<form" not in html and "csrfmiddlewaretoken" not in html


@pytest.mark.parametrize("name", ["password_change", "password_change_done"])
def test_the_password_pages_keep_the_header_and_the_balance(portal, name):
    html = portal.get(reverse(name)).content.decode()
    assert 'class="balance-pill"' in html and "¥100,000.00" in html
    assert 'class="mainnav"' in html


def test_a_user_without_a_client_changes_the_password_without_a_balance(client, english):
    client.force_login(factories.UserFactory(username="nobody"))
    html = client.get(reverse("password_change")).content.decode()
    assert "Change password" in html and "balance-pill" not in html


@pytest.mark.parametrize("url", ["/login/", "/orders/", "/account/top-up/"])
def test_every_portal_page_has_a_favicon(portal, url):
    html = portal.get(url, follow=True).content.decode()
    assert '<link rel="icon" href="/static/portal/favicon.svg" type="image/svg+xml">' in html


def test_the_favicon_is_a_small_svg():
    path = finders.find("portal/favicon.svg")
    assert path, "static/portal/favicon.svg is missing"
    with open(path, encoding="utf-8") as svg:
        text = svg.read()
    assert text.lstrip().startswith("<svg") and 'viewBox="0 0 64 64"' in text
    assert len(text) < 2000


def test_logging_out_says_so_on_the_login_page(portal):
    response = portal.post(reverse("logout"), follow=True)
    assert response.redirect_chain == [(reverse("login"), 302)]
    assert "You are logged out." in words(response)
    # Said once: the next page does not repeat it.
    assert "You are logged out." not in words(portal.get(reverse("login")))


def test_logging_out_says_so_in_chinese(member):
    http = HttpClient()
    http.force_login(member)
    response = http.post(reverse("logout"), follow=True)
    assert "您已退出登录。" in response.content.decode()


# --- One way of writing a time left ---------------------------------------------------------


def test_a_duration_is_days_and_hours_never_weeks():
    assert duration(timedelta(days=7, hours=9, minutes=59)) == "7 days, 9 hours"
    assert duration(timedelta(days=6, hours=9)) == "6 days, 9 hours"
    assert duration(timedelta(days=26)) == "26 days"
    assert duration(timedelta(days=1, minutes=30)) == "1 day"
    assert duration(timedelta(hours=5, minutes=1)) == "5 hours, 1 minute"
    assert duration(timedelta(minutes=45, seconds=59)) == "45 minutes"
    assert duration(timedelta(seconds=59)) == "less than a minute"
    assert duration(timedelta(hours=-3)) == "less than a minute"


def test_a_duration_reads_as_chinese_in_chinese():
    with translation.override("zh-hans"):
        assert duration(timedelta(days=7, hours=9)) == "7 天 9 小时"
        assert duration(timedelta(days=6, hours=9)) == "6 天 9 小时"
        assert duration(timedelta(minutes=20)) == "20 分钟"


def test_time_left_on_one_page_uses_one_format(account, member):
    """Two boosts of one order, 7 days 9 hours and 6 days 9 hours before their window ends: the
    Chinese page once said "1 周" beside "6 日，9 小时"."""
    order = factories.order(account, people("甲", "乙"))
    first, second = (line.boost for line in order.lines.order_by("pk"))
    factories.publish(first, at=PUBLISHED + timedelta(days=1))
    factories.publish(second, at=PUBLISHED)
    http = HttpClient()
    now = PUBLISHED + timedelta(days=7, hours=15)
    with at(now):
        http.force_login(member)
        html = http.get(reverse("portal:order_detail", args=[order.code])).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "剩余时间 7 天 9 小时" in text and "剩余时间 6 天 9 小时" in text
    assert "周" not in text
    assert not re.search(r"\d+\.\d+ ?(天|日)", text)  # never a fraction of a day


def test_time_left_to_publish_is_whole_days_and_hours(portal, account):
    waiting = factories.boost(account=account)  # valid until 2026-04-10 10:00
    with at(T0 + timedelta(days=3, hours=2, minutes=20)):
        response = portal.get(reverse("portal:order_detail", args=[waiting.line.order.code]))
    assert "27 days, 21 hours left to publish." in words(response)


# --- Chinese first --------------------------------------------------------------------------

NEW_STRINGS = [
    "less than a minute",
    "The first day is after the last day.",
    "Order code or influencer",
    "All kinds",
    "First day",
    "Last day",
    "You are logged out.",
    "Clear filters",
    "Placed from",
    "Placed until",
    "Influencers",
    "Filter",
    "No entries match this filter.",
    "Totals of the entries this filter keeps, by kind",
    "Totals of all entries, by kind",
    "Entries",
    "How to top up",
    "Top up your account",
    "Transfer reference",
    "See the statement",
]


def test_the_new_portal_strings_are_translated():
    with translation.override("zh-hans"):
        untranslated = [s for s in NEW_STRINGS if translation.gettext(s) == s]
    assert untranslated == []


def test_the_order_list_reads_as_chinese_by_default(account, member):
    factories.order(account, people("子", "丑", "寅", "卯"))
    http = HttpClient()
    http.force_login(member)
    html = http.get(reverse("portal:order_list")).content.decode()
    assert "子、丑、寅 及另外 1 位达人" in html
    assert "下单日期从" in html and "订单编号或达人" in html
