"""Client users in the admin: which login signs in to the portal for which client.

A client user is never a staff user or a superuser: a back-office login (one's own included)
never reads a client's pages, statement or money through the portal. Both the membership admin
and the inline on a client's page refuse one with the reason.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from ..models import ClientMembership
from .visibility import PermissionFieldsMixin


def portal_users():
    """The users who may sign in for a client: active, neither staff nor superuser."""
    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=False, is_superuser=False)
        .order_by("username")
    )


class ClientMembershipForm(forms.ModelForm):
    """A membership names one of ``portal_users``; anyone else is refused with the reason."""

    user = forms.ModelChoiceField(
        label=_("user"),
        queryset=portal_users(),
        error_messages={
            "invalid_choice": _(
                "Choose a client user: staff users and superusers never sign in for a client."
            )
        },
    )

    class Meta:
        model = ClientMembership
        fields = ["user", "client"]


class ClientMembershipInline(PermissionFieldsMixin, admin.TabularInline):
    """The users who sign in to the client portal for this client."""

    model = ClientMembership
    form = ClientMembershipForm
    extra = 0


class ClientMembershipAdmin(admin.ModelAdmin):
    """Which user signs in for which client; one client per user, never a staff user."""

    form = ClientMembershipForm
    list_display = ["user", "client"]
    list_select_related = ["user", "client"]
    search_fields = ["user__username", "user__email", "client__name", "client__code"]
    list_filter = ["client"]
    autocomplete_fields = ["client"]
