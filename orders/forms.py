"""Forms of the money pages: top-up, and the 视频助推 module with its form id."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kernel.money import CENT

from .services import LineRequest

# The most influencers one order may have (the module lists them all on one page).
MAX_ORDER_LINES = 100


# The hidden field of a money form that carries its form instance's signed id (``kernel.replay``).
KEY_FIELD = "idempotency_key"


class TopUpForm(forms.Form):
    """Money received from a client. The hidden field carries the form instance's signed id, from
    which the ledger key derives: posting the same form twice (a double click, Back and submit
    again) credits once."""

    amount = forms.DecimalField(label=_("amount"), max_digits=14, decimal_places=2, min_value=CENT)
    reason = forms.CharField(
        label=_("reason"),
        max_length=300,
        help_text=_("Kept on the ledger entry for the audit, e.g. the bank transfer reference."),
        widget=forms.TextInput(attrs={"size": 60}),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput)


class OrderKeyForm(forms.Form):
    """The module's hidden form id, issued when the order flow starts and kept by its URL.

    A double click, Back and confirm again, or a refresh all post the same id, the order key
    derives from it, and ``place_order`` returns the first order for a repeated key. The view
    verifies the signature before anything is written.
    """

    idempotency_key = forms.CharField(max_length=500, widget=forms.HiddenInput)


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
