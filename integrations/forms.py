"""The form fields the staff admin and the client pages of integrations both ask with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms

from orders.models import ClientEventType

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def event_types_field(label: StrOrPromise, *, required: bool) -> forms.MultipleChoiceField:
    """A checkbox per client event type; a required one (an endpoint's events) starts all ticked."""
    return forms.MultipleChoiceField(
        label=label,
        choices=ClientEventType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=required,
        initial=list(ClientEventType.values) if required else None,
    )
