"""The forms of the integrations pages: preferences, a new webhook endpoint, a new API token."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from orders.models import ClientEventType

from ..models import Language


def _event_choices() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=ClientEventType.choices, widget=forms.CheckboxSelectMultiple, required=False
    )


class PreferencesForm(forms.Form):
    """Which events reach the user, by e-mail and in the portal, and in which language."""

    language = forms.ChoiceField(label=_("Language of e-mails"), choices=Language.choices)
    email_types = _event_choices()
    portal_types = _event_choices()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email_types"].label = _("By e-mail")
        self.fields["portal_types"].label = _("In the portal")


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
    event_types = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=ClientEventType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(ClientEventType.values),
    )


class TokenForm(forms.Form):
    """A new API token: only its name is chosen; the token itself is generated."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Who uses the token, e.g. “finance reporting”."),
    )
