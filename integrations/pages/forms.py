"""The forms of the integrations pages: preferences, a new webhook endpoint, a new API token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..forms import event_types_field
from ..models import Language


class PreferencesForm(forms.Form):
    """Which events reach the user, by e-mail and in the portal, and in which language."""

    language = forms.ChoiceField(label=_("Language of e-mails"), choices=Language.choices)
    email_types = event_types_field(_("By e-mail"), required=False)
    portal_types = event_types_field(_("In the portal"), required=False)


class EndpointForm(forms.Form):
    """A new webhook endpoint: where to send, which events, and a note for the client's team."""

    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "Your server's address that receives the events, e.g. https://example.com/hooks/starboost"
        ),
    )
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    event_types = event_types_field(_("Events to send"), required=True)


class TokenForm(forms.Form):
    """A new API token: only its name is chosen; the token itself is generated."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who uses the token, e.g. “finance reporting”."),
    )
