"""Login throttling with django-axes on the portal's and the admin's login (issue 11, item 7).

The real settings run here (no override): 5 failures for one username from one address lock that
pair out for 15 minutes, the right password included, with a lockout page and a 429.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from tests.factories import StaffUserFactory

from .conftest import PASSWORD

pytestmark = [pytest.mark.django_db]
ADMIN_LOGIN = "/admin/login/"


def attempt(http: HttpClient, password: str, *, username="alice", url=None, address="10.0.0.1"):
    return http.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def logged_in(http: HttpClient) -> bool:
    return "_auth_user_id" in http.session


def fail(http: HttpClient, times: int, **kwargs) -> list[int]:
    return [attempt(http, "wrong-password", **kwargs).status_code for _ in range(times)]


def test_the_project_settings_lock_after_five_failures_for_fifteen_minutes():
    assert settings.AXES_ENABLED is True
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=15)
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_five_wrong_passwords_lock_the_portal_login_even_for_the_right_one(client, member, english):
    assert fail(client, 4) == [200] * 4  # the login form again, with its error
    assert fail(client, 1) == [429]  # the fifth failure locks
    response = attempt(client, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "failed 5 times in a row" in page and "try again in 15 minutes" in page
    assert not logged_in(client)
    # The refused right password counts as one more failure.
    assert AccessAttempt.objects.get().failures_since_start == 6


def test_the_lockout_page_is_in_chinese_by_default(client, member):
    fail(client, 5)
    page = attempt(client, PASSWORD).content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page


def test_another_user_from_the_same_address_is_unaffected(client, member, account, english):
    from tests.factories import member_of

    member_of(account, "bob")
    fail(client, 5)
    response = attempt(client, PASSWORD, username="bob")
    assert response.status_code == 302 and logged_in(client)


def test_the_same_user_from_another_address_is_unaffected(client, member, english):
    fail(client, 5, address="10.0.0.1")
    assert attempt(client, PASSWORD, address="10.0.0.2").status_code == 302
    assert logged_in(client)


def test_fewer_failures_then_the_right_password_log_in_and_reset_the_count(client, member):
    fail(client, 4)
    assert attempt(client, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    assert fail(client, 4) == [200] * 4  # counted from zero again, so not locked yet
    assert attempt(client, PASSWORD).status_code == 302


def test_the_lock_lifts_after_the_cool_off(client, member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, 5)
    with time_machine.travel(start + timedelta(minutes=15, seconds=1), tick=False):
        assert attempt(client, PASSWORD).status_code == 302


def test_an_attempt_while_locked_starts_the_cool_off_again(client, member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(client, 5)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        assert attempt(client, PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert attempt(client, PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16 + 15, seconds=1), tick=False):
        assert attempt(client, PASSWORD).status_code == 302


def test_the_admin_login_locks_likewise(client, english):
    StaffUserFactory(username="ops", password="pw-ops-123", is_superuser=True)
    assert fail(client, 5, username="ops", url=ADMIN_LOGIN)[-1] == 429
    response = attempt(client, "pw-ops-123", username="ops", url=ADMIN_LOGIN)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page and f'href="{ADMIN_LOGIN}"' in page
    assert not logged_in(client)
    assert client.get(reverse("admin:index")).status_code == 302  # still sent to log in


def test_the_admin_and_portal_logins_share_one_count(client, member):
    fail(client, 3)
    fail(client, 2, url=ADMIN_LOGIN)
    assert attempt(client, PASSWORD).status_code == 429
