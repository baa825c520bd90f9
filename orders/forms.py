"""Forms of the client portal: the 视频助推 module and its idempotency key."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .services import LineRequest

# The most influencers one order may have (the module lists them all on one page).
MAX_ORDER_LINES = 100


class OrderKeyForm(forms.Form):
    """The module's hidden key, minted when the page is rendered: one order per rendered page.

    A double click, a browser retry or a second tab posting the same page all carry the same key,
    and ``place_order`` returns the first order for a repeated key.
    """

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)


class ModuleLineForm(forms.Form):
    """One line of the 视频助推 module: the price and fee the client was shown, and the tick."""

    influencer_id = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    fixed_price = forms.DecimalField(max_digits=14, decimal_places=2, widget=forms.HiddenInput)
    boost_fee = forms.DecimalField(
        max_digits=14, decimal_places=2, required=False, widget=forms.HiddenInput
    )
    boost = forms.BooleanField(label=_("Boost"), required=False)

    def line_request(self) -> LineRequest:
        """What the client asked for, with the shown prices so a changed one is refused."""
        data = self.cleaned_data
        return LineRequest(
            influencer_id=data["influencer_id"],
            boost=data["boost"],
            fixed_price=data["fixed_price"],
            boost_fee=data["boost_fee"] if data["boost"] else None,
        )


ModuleLineFormSet = forms.formset_factory(
    ModuleLineForm,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=MAX_ORDER_LINES,
    validate_max=True,
)
