"""Permissions as data (issue 11, item 4): every admin URL and action × every role.

The matrix is generated. The URLs come from ``admin.site`` itself: each registered model's admin
(the apps', auth's, django-celery-beat's and django-axes') with every pattern of its
``get_urls`` (changelist, add, history, delete, change and each custom view), each admin action
(``_get_base_actions``, posted to the changelist with ``action=``), the admin site's own views
and the insights pages mounted under ``/admin/``. What each role should get is computed from
data, never written per URL: the permissions the role's user holds (the migrated groups' rows,
read through ``user.has_perm``), the admin's one policy for service-written rows (never added,
edited or deleted through a form, STYLE 4), and for the few custom views and actions the
permission each declares.

For each role, three things are checked: every URL answers as expected; every POST that must be
refused writes nothing (the row count of every table is unchanged); and every page the role may
open links only to admin pages the role may open (no Top up link, no ledger link for Operations).
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import Resolver404, resolve, reverse
from django_celery_beat.models import ClockedSchedule, IntervalSchedule, SolarSchedule

from integrations import services as integration_services
from operations.services import start_sweep_run
from orders import services as order_services
from orders.models import ClientMembership, OrderLine, PublishRejection
from orders.services import VideoStatusIn
from settlements import services
from settlements.models import QuarantinedRow, Settlement
from settlements.services.quarantine import quarantine
from tests import factories
from tests.factories import T0

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ROLES = ("anonymous", "client user", "staff without group", "Operations", "Finance", "superuser")
LOGIN, DENIED, OK, MISSING = "sent to the login", "denied (403)", "served", "not found (404)"

# Rows only services write (STYLE 4): the admin never adds, edits or deletes them, not even for a
# superuser. django-axes writes its login records itself: its admin lists and deletes them.
SERVICE_WRITTEN = {
    "orders.ledgerentry",
    "orders.order",
    "orders.orderline",
    "orders.boost",
    "orders.boostevent",
    "orders.viewsnapshot",
    "orders.apirequestlog",
    "orders.publishrejection",
    "settlements.settlement",
    "settlements.adjustment",
    "settlements.settlementevent",
    "settlements.quarantinedrow",
    "settlements.calendaryear",
    "orders.pricingsetting",
    "orders.pricingmodelchange",
    "orders.videostatusevent",
    "orders.snapshotflag",
    "settlements.recoverycase",
    "operations.sweeprun",
    "orders.clientevent",
    "integrations.notification",
    "integrations.emaildelivery",
    "integrations.webhookdelivery",
}
NEVER_ADDED = SERVICE_WRITTEN | {"axes.accessattempt", "axes.accesslog", "axes.accessfailurelog"}
# The custom admin views: the permission each needs besides seeing its model.
CUSTOM_VIEWS = {
    "orders_client_top_up": "orders.add_ledgerentry",
    "orders_client_place_order": "orders.add_order",
    "orders_orderline_publish": "orders.change_boost",
    "settlements_settlement_export_csv": None,
    "settlements_calendarday_bulk": "settlements.change_calendarday",
    "settlements_calendaryear_complete": "settlements.change_calendarday",
    "settlements_calendaryear_reopen": "settlements.change_calendarday",
    "auth_user_password_change": "auth.change_user",
}
# Rows without a permission of their own to hand out: who may see the first sees them
# (operations.access: the sweeps make and pay settlements).
VIEWED_THROUGH = {"operations.sweeprun": "settlements.view_settlement"}
# The project's own action permissions (``@admin.action(permissions=[...])``) and what they mean.
ACTION_PERMISSIONS = {
    "finance": "settlements.change_settlement",
    "cancel": "orders.change_boost",
    "switch": "orders.change_pricingsetting",
    "resend": "integrations.change_webhookdelivery",
}
# The insights pages let in superusers and staff of these groups (settlements.insights.views).
INSIGHTS_GROUPS = {"Operations", "Finance"}
# The admin site's own pages, open to any active staff user.
SITE_PAGES = {"index", "login", "logout", "password_change", "password_change_done", "jsi18n"}
HREF = re.compile(r'href="([^"]+)"')


# --- The world: a row of every model the admin shows ----------------------------------------


def build_world() -> None:
    """At least one row of every registered model, through the services where there are any."""
    finance = [factories.staff_in("Finance", f"world-finance{n}") for n in (1, 2)]
    # First, so its rows are the ones opened: an order placed and published by a staff user,
    # whose pages name users that Operations and Finance may not open.
    placed = factories.order(factories.client(), [factories.influencer()], placed_by=finance[0])
    order_services.publish(
        line=placed.lines.get(),
        video_id="v-staff",
        published_at=T0 + timedelta(hours=1),
        now=T0 + timedelta(hours=1),
        actor=finance[0],
    )
    settlement = services.pay_settlement(
        settlement=factories.compensation(), now=T0 + timedelta(days=20)
    )
    account = settlement.boost.line.order.client
    factories.member_of(account, "world-member")
    factories.boost()  # a line still to publish, for the publish page
    adjustment = factories.adjustment(
        settlement, "10.00", actor=finance[0], reason="world", client_note="world"
    )
    services.approve_adjustment(adjustment=adjustment, actor=finance[1], now=T0)
    factories.adjustment(
        settlement, "5.00", actor=finance[0], reason="pending", client_note="pending"
    )
    services.enter_calendar_day(
        day=date(2027, 1, 1),
        is_working_day=False,
        source="State Council",
        actor=finance[0],
        now=T0,
    )
    services.complete_calendar_year(year=2027, actor=finance[0], now=T0)
    order_services.switch_live_model(to_model="v1", actor=finance[0], reason="world", now=T0)
    order_services.switch_live_model(to_model="v2", actor=finance[0], reason="world", now=T0)
    quarantine(
        sweep=QuarantinedRow.Sweep.PAY_DUE,
        model=Settlement,
        object_id=settlement.pk,
        error=ValueError("world"),
        now=T0,
    )
    # A video removed by its creator after a count lower than an earlier one: a status event, a
    # flagged snapshot, a creator-caused compensation and its recovery case.
    removed = factories.active_boost(name="world-removed")
    start = removed.window_start
    factories.views(removed, (start + timedelta(days=1), 9_000), (start + timedelta(days=2), 8_000))
    order_services.record_video_statuses(
        items=[VideoStatusIn(f"v_{removed.pk}", "removed_by_creator", start + timedelta(days=3))],
        now=start + timedelta(days=3),
    )
    services.close_window(boost=removed, now=removed.window_end + timedelta(minutes=1))
    start_sweep_run(task_name="settlements.tasks.pay_due", task_id="world", now=T0)
    token, _raw = order_services.create_integration_token(name="pipeline", now=T0)
    order_services.log_api_request(
        token=token,
        path="/api/views",
        method="POST",
        status_code=200,
        item_count=1,
        error="",
        received_at=T0,
        duration_ms=3,
    )
    PublishRejection.objects.create(
        line=OrderLine.objects.order_by("pk").first(),
        video_id="v-late",
        published_at=T0 + timedelta(days=60),
        reason="after the validity",
        received_at=T0,
        token=token,
    )
    # The clients' integrations: an endpoint and a token, and the world's events fanned out.
    integration_services.create_endpoint(
        client=account, url="https://example.com/hook", event_types=["boost.active"], now=T0
    )
    integration_services.create_api_token(client=account, name="world", now=T0)
    integration_services.dispatch_batch(now=T0)
    ClockedSchedule.objects.create(clocked_time=T0)
    SolarSchedule.objects.create(event="sunrise", latitude=31.23, longitude=121.47)
    IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.DAYS)
    seen = {"user_agent": "pytest", "ip_address": "127.0.0.1", "username": "x", "http_accept": ""}
    AccessAttempt.objects.create(
        **seen, path_info="/login/", get_data="", post_data="", failures_since_start=1
    )
    AccessLog.objects.create(**seen, path_info="/login/")
    AccessFailureLog.objects.create(**seen, path_info="/login/")


def all_counts() -> dict[str, int]:
    """Rows in every table the admin can write: the two apps' and every other registered one."""
    return factories.row_counts(*admin.site._registry, apps.get_model("admin", "LogEntry"))


# --- Roles and what their permissions say ---------------------------------------------------


@dataclass
class Role:
    name: str
    user: Any  # None for the anonymous visitor

    @property
    def staff(self) -> bool:
        return self.user is not None and self.user.is_active and self.user.is_staff

    def has(self, permission: str) -> bool:
        return self.user is not None and self.user.has_perm(permission)

    def may(self, model: Any, action: str) -> bool:
        label = f"{model._meta.app_label}.{model._meta.model_name}"
        if action == "view" and label in VIEWED_THROUGH:
            return self.has(VIEWED_THROUGH[label]) or self.has(
                f"{label[: label.index('.')]}.view_{model._meta.model_name}"
            )
        return self.has(f"{model._meta.app_label}.{action}_{model._meta.model_name}")

    def sees(self, model: Any) -> bool:
        return self.may(model, "view") or self.may(model, "change")

    def in_insights(self) -> bool:
        if self.user is None:
            return False
        names = set(self.user.groups.values_list("name", flat=True))
        return self.user.is_superuser or (self.staff and bool(names & INSIGHTS_GROUPS))


def make_role(name: str) -> Role:
    if name == "anonymous":
        return Role(name, None)
    if name == "client user":
        account = ClientMembership.objects.order_by("pk").first().client
        return Role(name, factories.member_of(account, "matrix-member"))
    if name == "staff without group":
        return Role(name, factories.StaffUserFactory(username="matrix-staff"))
    if name == "superuser":
        return Role(name, get_user_model().objects.create_superuser("matrix-root", "r@x.cn", "pw"))
    return Role(name, factories.staff_in(name, f"matrix-{name.lower()}"))


def signed_in(client, name: str) -> Role:
    """The role ``name``, the test client logged in as its user (the anonymous visitor is not)."""
    role = make_role(name)
    if role.user is not None:
        client.force_login(role.user)
    return role


def model_urls() -> dict[str, tuple[Any, str]]:
    """Every named URL of every registered model's admin: name → (model, view)."""
    names = {}
    for model, model_admin in admin.site._registry.items():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            if pattern.name:
                names[pattern.name] = (model, pattern.name.removeprefix(prefix))
    return names


MODEL_URLS = model_urls()


def model_view(role: Role, model: Any, name: str, view: str) -> str:
    """What a staff ``role`` gets from one of ``model``'s admin views."""
    label = model._meta.label_lower
    if view in ("changelist", "history", "change"):
        allowed = role.sees(model)
    elif view == "add":
        allowed = role.may(model, "add") and label not in NEVER_ADDED
    elif view == "delete":
        allowed = role.may(model, "delete") and label not in SERVICE_WRITTEN
    elif name in CUSTOM_VIEWS:
        needs = CUSTOM_VIEWS[name]
        allowed = role.sees(model) and (needs is None or role.has(needs))
    else:
        raise AssertionError(f"no rule for the admin URL {name}: add it to CUSTOM_VIEWS")
    return OK if allowed else DENIED


def expected(role: Role, url: str) -> str:
    """What ``role`` should get from ``url``, from the permissions and the policy above."""
    parts = urlsplit(url)
    match = resolve(parts.path)
    if match.namespace == "insights":
        if role.user is None:
            return LOGIN
        return OK if role.in_insights() else DENIED
    assert match.namespace == "admin", url
    name = match.url_name
    if not role.staff:
        return LOGIN
    if name is None and "url" in match.kwargs:
        return MISSING  # the admin's catch-all: an unknown admin page
    if name is None or name in SITE_PAGES:
        return OK  # the site's own pages, and "<id>/", which only redirects to the change page
    if name == "app_list":
        app_label = match.kwargs["app_label"]
        models = apps.get_app_config(app_label).get_models()
        sees_one = any(role.sees(model) for model in models if model in admin.site._registry)
        return OK if role.user.has_module_perms(app_label) or sees_one else MISSING
    if name == "view_on_site":
        return MISSING  # no back-office model has a public page
    if name == "autocomplete":
        query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
        if not query:
            return DENIED
        source = apps.get_model(query["app_label"], query["model_name"])
        remote = source._meta.get_field(query["field_name"]).remote_field.model
        return OK if role.sees(remote) else DENIED
    model, view = MODEL_URLS[name]
    return model_view(role, model, name, view)


def outcome(response) -> str:
    """Which of the four answers a response is."""
    if response.status_code == 302 and urlsplit(response["Location"]).path == reverse(
        "admin:login"
    ):
        return LOGIN
    # 405: a view that takes no POST refuses it before anything else.
    return {403: DENIED, 404: MISSING, 405: DENIED}.get(
        response.status_code, OK if response.status_code in (200, 302) else str(response)
    )


# --- Every URL ------------------------------------------------------------------------------


def first(model: Any) -> Any:
    row = model._default_manager.order_by("pk").first()
    assert row is not None, f"the world has no {model._meta.label} row"
    return row


def every_url() -> Iterator[str]:
    """Every admin URL with a real object where it needs one, and the insights pages."""
    yield from (reverse(f"admin:{name}") for name in ("index", "password_change", "jsi18n"))
    yield reverse("admin:password_change_done")
    yield reverse("admin:autocomplete")
    yield (
        reverse("admin:autocomplete")
        + "?"
        + urlencode(
            {"app_label": "orders", "model_name": "clientmembership", "field_name": "client"}
        )
    )
    yield "/admin/no-such-page/"
    for app_label in sorted({model._meta.app_label for model in admin.site._registry}):
        yield reverse("admin:app_list", args=[app_label])
    for model, model_admin in admin.site._registry.items():
        row = first(model)
        content_type = apps.get_model("contenttypes", "ContentType").objects.get_for_model(model)
        yield reverse("admin:view_on_site", args=[content_type.pk, row.pk])
        for pattern in model_admin.get_urls():
            route = str(pattern.pattern)
            if pattern.name:
                takes_id = "object_id" in route or "<id>" in route
                if "<int:year>" in route:  # a calendar year's pages take the year, not the id
                    yield reverse(f"admin:{pattern.name}", args=[row.year])
                    continue
                yield reverse(f"admin:{pattern.name}", args=[row.pk] if takes_id else [])
            elif route == "<path:object_id>/":
                yield reverse(f"admin:{MODEL_URLS_BY_MODEL[model]}", args=[]) + f"{row.pk}/"
    for name in ("insights:index", "insights:backtest"):
        yield reverse(name)
        yield reverse(name) + "?from=2026-03-01&to=2026-04-30&format=csv&table=bands"


MODEL_URLS_BY_MODEL = {
    model: f"{model._meta.app_label}_{model._meta.model_name}_changelist"
    for model in admin.site._registry
}


# What a refused POST carries: a valid-looking body, so a missing check would really write.
def post_body(url: str) -> dict[str, Any]:
    name = resolve(urlsplit(url).path).url_name or ""
    if name.endswith("_top_up"):
        return {"amount": "10.00", "reason": "matrix", "idempotency_key": str(uuid.uuid4())}
    if name.endswith("_delete"):
        return {"post": "yes"}
    if name.endswith("_publish"):
        return {"video_id": "v-matrix", "published_at": T0.isoformat()}
    return {"name": "matrix", "note": "matrix", "reason": "matrix"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the matrix's 22 tests, rolled back at the end of the module (the rule tests
    below pass beside it); each test's own writes are rolled back by its transaction inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_world()
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("role_name", ROLES)
def test_every_admin_url_answers_each_role_as_its_permissions_say(client, world, role_name):
    role = signed_in(client, role_name)
    wrong, pages = [], []
    for url in every_url():
        want, got = expected(role, url), outcome(client.get(url))
        if want != got:
            wrong.append(f"GET {url}: expected {want}, got {got}")
        elif got == OK:
            pages.append(url)
    assert not wrong, "\n".join(wrong)
    assert pages or role.user is None or not role.staff or role_name == "staff without group"


@pytest.mark.parametrize("role_name", ROLES)
def test_every_refused_post_writes_nothing(client, world, role_name):
    role = signed_in(client, role_name)
    wrong = []
    for url in every_url():
        want = expected(role, url)
        match = resolve(urlsplit(url).path)
        model_view_name = MODEL_URLS.get(match.url_name or "", (None, ""))
        if want == OK and model_view_name[1] == "change":
            # Seeing a row is not editing it: a change form of service-written rows, or one the
            # role may only view, refuses the post.
            model = model_view_name[0]
            if role.may(model, "change") and model._meta.label_lower not in SERVICE_WRITTEN:
                continue
            want = DENIED
        elif want == OK or want == MISSING:
            continue
        before = all_counts()
        got = outcome(client.post(url, post_body(url)))
        if got != want:
            wrong.append(f"POST {url}: expected {want}, got {got}")
        if all_counts() != before:
            wrong.append(f"POST {url} wrote rows although refused")
    assert not wrong, "\n".join(wrong)


# --- Every action ---------------------------------------------------------------------------


def action_allowed(role: Role, model: Any, func: Any) -> bool:
    """Whether ``role`` is offered an action, from the permissions it declares."""
    if not role.staff or not role.sees(model):
        return False
    label = model._meta.label_lower
    for permission in getattr(func, "allowed_permissions", ()):
        if permission in ACTION_PERMISSIONS:
            allowed = role.has(ACTION_PERMISSIONS[permission])
        elif permission == "delete":
            allowed = role.may(model, "delete") and label not in SERVICE_WRITTEN
        elif permission == "add":
            allowed = role.may(model, "add") and label not in NEVER_ADDED
        elif permission == "view":
            allowed = role.sees(model)
        else:
            allowed = role.may(model, permission)
        if not allowed:
            return False
    return True


def offered(response) -> set[str]:
    form = response.context and response.context.get("action_form")
    return {name for name, _label in form.fields["action"].choices if name} if form else set()


@pytest.mark.parametrize("role_name", ROLES)
def test_every_admin_action_is_offered_or_refused_as_its_permissions_say(client, world, role_name):
    role = signed_in(client, role_name)
    wrong = []
    for model, model_admin in admin.site._registry.items():
        changelist = reverse(f"admin:{MODEL_URLS_BY_MODEL[model]}")
        page = client.get(changelist)
        shown = offered(page) if page.status_code == 200 else set()
        for func, name, _description in model_admin._get_base_actions():
            allowed = action_allowed(role, model, func)
            if allowed != (name in shown):
                wrong.append(f"{changelist} {name}: allowed {allowed}, offered {name in shown}")
            if allowed:
                continue  # offered actions run their services; their own tests cover them
            before = all_counts()
            body = {"action": name, "_selected_action": [first(model).pk], "index": "0"}
            response = client.post(changelist, {**body, "apply": "yes", "reason": "matrix"})
            want = LOGIN if not role.staff else (OK if role.sees(model) else DENIED)
            if outcome(response) != want:
                wrong.append(f"POST {changelist} action {name}: got {outcome(response)}")
            if all_counts() != before:
                wrong.append(f"POST {changelist} action {name} wrote rows although refused")
    assert not wrong, "\n".join(wrong)


# --- Links shown only to those who may follow them ------------------------------------------


def admin_links(page: str) -> set[str]:
    links = set()
    for href in HREF.findall(page):
        url = html.unescape(href)
        if url.startswith(("/admin/", "/admin?")):
            links.add(url)
    return links


@pytest.mark.parametrize("role_name", ["staff without group", "Operations", "Finance", "superuser"])
def test_every_page_links_only_to_pages_the_role_may_open(client, world, role_name):
    role = signed_in(client, role_name)
    wrong = []
    for url in every_url():
        if expected(role, url) != OK:
            continue
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for link in admin_links(response.content.decode()):
            try:
                want = expected(role, link)
            except Resolver404:
                wrong.append(f"{url} links to {link}, which does not exist")
                continue
            if want != OK:
                wrong.append(f"{url} links to {link}: {want} for {role_name}")
    assert not wrong, "\n".join(sorted(set(wrong)))


# --- The rules behind the matrix, one by one ------------------------------------------------


@pytest.fixture
def funded(db):
    """A client with ledger rows: a top-up, an order charge and a boost fee."""
    return factories.boost().line.order.client


def test_operations_sees_the_balance_but_no_ledger_row_and_no_top_up(client, funded):
    client.force_login(factories.staff_in("Operations", "ops"))
    page = client.get(reverse("admin:orders_client_change", args=[funded.pk])).content.decode()
    page = page.lower()
    assert "balance" in page
    assert "latest ledger entries" not in page and "balance after" not in page
    assert "/admin/orders/ledgerentry/" not in page
    assert reverse("admin:orders_client_top_up", args=[funded.pk]) not in page
    assert reverse("admin:orders_client_place_order", args=[funded.pk]) in page
    listing = client.get(reverse("admin:orders_client_changelist")).content.decode()
    assert "/top-up/" not in listing and "/place-order/" in listing


def test_finance_sees_the_ledger_rows_and_the_top_up_link(client, funded):
    client.force_login(factories.staff_in("Finance", "fin"))
    page = client.get(reverse("admin:orders_client_change", args=[funded.pk])).content.decode()
    page = page.lower()
    assert "latest ledger entries" in page and "balance after" in page
    assert reverse("admin:orders_client_top_up", args=[funded.pk]) in page
    assert "/top-up/" in client.get(reverse("admin:orders_client_changelist")).content.decode()


def add_membership(http, user, account):
    return http.post(
        reverse("admin:orders_clientmembership_add"), {"user": user.pk, "client": account.pk}
    )


def test_operations_cannot_make_itself_or_other_staff_a_client_user(client, funded):
    operations = factories.staff_in("Operations", "ops")
    client.force_login(operations)
    for user in (operations, factories.staff_in("Finance", "fin"), factories.StaffUserFactory()):
        before = all_counts()
        response = add_membership(client, user, funded)
        assert response.status_code == 200  # the form again, with the reason
        assert "staff users and superusers never sign in for a client" in response.content.decode()
        assert all_counts() == before
    portal_user = factories.UserFactory(username="buyer")
    assert add_membership(client, portal_user, funded).status_code == 302
    assert ClientMembership.objects.get(user=portal_user).client == funded


def test_not_even_a_superuser_links_a_superuser_to_a_client_on_the_client_page(
    admin_client, admin_user, funded
):
    before = all_counts()
    response = admin_client.post(
        reverse("admin:orders_client_change", args=[funded.pk]),
        {
            "name": funded.name,
            "code": funded.code,
            "contact_email": funded.contact_email,
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-0-user": admin_user.pk,
            "memberships-0-client": funded.pk,
        },
    )
    assert response.status_code == 200
    assert "staff users and superusers never sign in for a client" in response.content.decode()
    assert all_counts() == before


def test_a_refused_page_is_the_styled_403_page(client, funded):
    client.force_login(factories.staff_in("Operations", "ops"))
    response = client.get(reverse("admin:orders_client_top_up", args=[funded.pk]))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert 'id="permission-denied"' in page and "Access denied" in page
    assert reverse("admin:index") in page  # the way back, for staff
    assert "portal/portal.css" in page  # styled like the rest of the site


def test_the_403_page_speaks_the_site_language(client, settings, funded):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(factories.staff_in("Operations", "ops"))
    page = client.get(reverse("admin:orders_client_top_up", args=[funded.pk])).content.decode()
    assert "无权访问" in page and "返回管理后台" in page


@pytest.mark.parametrize(
    ("who", "way_back"),
    [("staff", "admin:index"), ("client", "portal:home"), ("anonymous", "login")],
)
def test_an_unknown_address_is_the_styled_404_page(client, english, funded, who, way_back):
    if who == "staff":
        client.force_login(factories.staff_in("Operations", "ops"))
    elif who == "client":
        client.force_login(factories.member_of(funded, "carol"))
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert 'id="page-not-found"' in page and "Page not found" in page
    assert f'href="{reverse(way_back)}"' in page
    assert "portal/portal.css" in page  # styled like the rest of the site
