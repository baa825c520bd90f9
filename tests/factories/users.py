"""Users: plain, staff in one of the migrated groups, and client members of the portal."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from factory.django import DjangoModelFactory

from orders.models import Client, ClientMembership

MEMBER_PASSWORD = "s3cret-Pass!"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("password")


class StaffUserFactory(UserFactory):
    is_staff = True


def staff_in(group: str, username: str) -> AbstractUser:
    """A staff user in ``group`` (Operations and Finance come from the migrations)."""
    user = StaffUserFactory(username=username)
    user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def member_of(account: Client, username: str) -> AbstractUser:
    """A user of ``account`` who logs in with ``MEMBER_PASSWORD``."""
    user = UserFactory(username=username, password=MEMBER_PASSWORD)
    ClientMembership.objects.create(user=user, client=account)
    return user
