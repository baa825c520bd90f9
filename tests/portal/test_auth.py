"""Client accounts: log in and out, change and reset the password, switch the language."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_renders_and_logs_a_client_in(client, member, english):
    page = client.get(reverse("login"))
    assert page.status_code == 200 and "Forgotten your password?" in page.content.decode()
    response = client.post(reverse("login"), {"username": "alice", "password": "s3cret-Pass!"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/")["Location"] == reverse("portal:order_list")


def test_login_follows_next(client, member):
    response = client.post(
        f"{reverse('login')}?next=/account/", {"username": "alice", "password": "s3cret-Pass!"}
    )
    assert response["Location"] == "/account/"


def test_a_wrong_password_is_refused(client, member, english):
    response = client.post(reverse("login"), {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_staff_logging_in_on_the_portal_land_in_the_admin(client):
    get_user_model().objects.create_user("ops", password="pw-ops-123", is_staff=True)
    client.post(reverse("login"), {"username": "ops", "password": "pw-ops-123"})
    assert client.get("/")["Location"] == reverse("admin:index")


def test_logout_is_a_post_and_leads_to_login(portal):
    assert portal.get(reverse("logout")).status_code == 405
    response = portal.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert portal.get(reverse("portal:account")).status_code == 302


def test_password_change(portal, member):
    page = portal.get(reverse("password_change"))
    assert page.status_code == 200
    response = portal.post(
        reverse("password_change"),
        {
            "old_password": "s3cret-Pass!",
            "new_password1": "An0ther-long-pass",
            "new_password2": "An0ther-long-pass",
        },
    )
    assert response["Location"] == reverse("password_change_done")
    assert portal.get(response["Location"]).status_code == 200
    member.refresh_from_db()
    assert member.check_password("An0ther-long-pass")


def test_password_reset_by_email(client, member, english, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = client.post(reverse("password_reset"), {"email": "alice@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert client.get(response["Location"]).status_code == 200
    (message,) = mail.outbox
    assert message.subject == "Reset your StarBoost password"
    link = re.search(r"http://testserver(/password/reset/\S+/)", message.body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Set a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "Reset-pass-2026", "new_password2": "Reset-pass-2026"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    member.refresh_from_db()
    assert member.check_password("Reset-pass-2026")


def test_admin_password_pages_keep_the_admin_look(admin_client):
    html = admin_client.get(reverse("admin:password_change")).content.decode()
    assert "portal.css" not in html


def test_language_switch(portal, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = portal.get(reverse("portal:order_list")).content.decode()
    assert '<html lang="zh-hans">' in page
    assert 'value="en"' in page and "English" in page and "简体中文" in page
    response = portal.post(reverse("set_language"), {"language": "en", "next": "/orders/"})
    assert response["Location"] == "/orders/"
    assert '<html lang="en">' in portal.get("/orders/").content.decode()
