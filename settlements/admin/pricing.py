"""The live pricing model in the admin (DESIGN §4b): its one setting, the switch and its audit.

The setting is an ``orders`` row, registered here because switching it is an action page of the
``ServiceActionsMixin`` pattern (which ``orders`` cannot import). Switching calls
``orders.services.switch_live_model`` and needs ``orders.change_pricingsetting``; the rows
themselves are read-only, and every switch is kept as a ``PricingModelChange`` (listed read-only).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.errors import DomainError
from orders import services
from orders.admin import ReadOnlyAdminMixin
from orders.admin.base import column
from orders.models import PricingModel, PricingSetting

from .base import ActionForm, ServiceActionsMixin, error_text, local_time, reason_field

SWITCH_PERMISSION = "orders.change_pricingsetting"


class SwitchModelForm(ActionForm):
    to_model = forms.ChoiceField(label=_("New live model"), choices=PricingModel.choices)
    reason = reason_field()


class PricingModelChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every switch of the live model, newest first: the audit trail of §4b."""

    list_display = ["changed_display", "from_model", "to_model", "actor_name", "reason"]
    list_filter = ["to_model"]
    fields = ["changed_display", "from_model", "to_model", "actor_name", "reason"]
    readonly_fields = fields

    changed_display = column(_("changed at"), "changed_at", local_time)


class PricingSettingAdmin(ServiceActionsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The live model and when it last changed; the action switches it, with a reason."""

    list_display = ["__str__", "live_model", "changed_display", "switches"]
    fields = ["live_model", "changed_display", "switches"]
    readonly_fields = fields
    actions = ["switch_model"]

    def has_switch_permission(self, request: HttpRequest) -> bool:
        return request.user.is_active and request.user.has_perm(SWITCH_PERMISSION)

    changed_display = column(_("changed at"), "changed_at", local_time, sortable=False)

    @admin.display(description=_("audit trail"))
    def switches(self, setting: PricingSetting) -> str:
        url = reverse("admin:orders_pricingmodelchange_changelist")
        return format_html('<a href="{}">{}</a>', url, gettext("Every switch, with its reason"))

    @admin.action(description=_("Switch the live pricing model"), permissions=["switch"])
    def switch_model(
        self, request: HttpRequest, queryset: QuerySet[PricingSetting]
    ) -> TemplateResponse | None:
        form, page = self.form_page(
            request,
            queryset,
            form_class=SwitchModelForm,
            action="switch_model",
            title=gettext("Switch the live pricing model"),
            intro=gettext(
                "New quotes (orders, cached listing quotes at their next refresh) are priced with "
                "the new model; every boost already sold keeps the model, the fee and the inputs "
                "it was priced with. Each placed boost also records the other model's quote, "
                "never charged, for the calibration report."
            ),
            submit_label=gettext("Switch"),
        )
        if page is not None:
            return page
        to_model = form.cleaned_data["to_model"]
        try:
            change = services.switch_live_model(
                to_model=to_model,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except DomainError as error:
            self.message_user(request, error_text(error), messages.ERROR)
            return None
        if change is None:
            self.message_user(
                request,
                gettext("%(model)s is already the live pricing model.") % {"model": to_model},
                messages.WARNING,
            )
        else:
            self.message_user(
                request,
                gettext("The live pricing model is now %(model)s (was %(old)s).")
                % {"model": change.to_model, "old": change.from_model},
                messages.SUCCESS,
            )
        return None
