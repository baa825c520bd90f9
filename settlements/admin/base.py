"""The shared machinery of admin action pages: who is Finance, the input page, per-row calls.

An action that needs input (a reason, an amount) shows ``admin/action_form.html``, which re-posts
the selected ids and the action name to the changelist, the standard Django pattern (like
``delete_selected``); the ``apply`` button marks the second post. ``run_each`` then calls a
service once per row and reports each refusal; an action that asks only for a reason is one call
of ``reason_action``. The display helpers format links and instants the same way on every
settlements admin page, and every audit trail shows as one kind of inline; money goes through
``kernel.display``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kernel.errors import DomainError
from orders.admin import ReadOnlyInline

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

FINANCE_PERMISSION = "settlements.change_settlement"
ACTION_FORM_TEMPLATE = "admin/action_form.html"
DASH = "—"


def is_finance(user: Any) -> bool:
    """Whether ``user`` may act on money: hold, release, adjust, settle (superusers may)."""
    return user.is_active and user.has_perm(FINANCE_PERMISSION)


def admin_link(obj: models.Model | None, text: str | None = None) -> str:
    """A link to ``obj``'s admin page, or plain text when its model is not in the admin."""
    if obj is None:
        return DASH
    label = text if text is not None else str(obj)
    try:
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return label
    return format_html('<a href="{}">{}</a>', url, label)


def local_time(instant: datetime | None) -> str:
    """An instant in Asia/Shanghai in the admin's date-time format, or a dash."""
    return date_format(timezone.localtime(instant), "DATETIME_FORMAT") if instant else DASH


def error_text(error: DomainError) -> str:
    """A refused action's message(s) as one line for ``message_user``."""
    return " ".join(error.messages)


def reason_field() -> forms.CharField:
    """The audited free-text reason every money action asks for."""
    return forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Kept in the audit trail."),
    )


class AuditTrailInline(ReadOnlyInline):
    """An append-only audit trail on its subject's page: oldest first, its events not linked."""

    ordering = ("at", "id")
    show_change_link = False
    verbose_name_plural = _("audit trail")


class ActionForm(forms.Form):
    """The base of every action page's form."""

    required_css_class = "required"  # the admin's bold label


class ReasonForm(ActionForm):
    """An action page that asks only for a reason (required unless the action says otherwise)."""

    reason = reason_field()

    def __init__(self, *args: Any, reason_required: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = reason_required


class ServiceActionsMixin:
    """Admin actions that ask for input on an intermediate page, then call a service per row."""

    def form_page(
        self,
        request: HttpRequest,
        queryset: Iterable[models.Model],
        *,
        form_class: type[forms.Form],
        action: str,
        title: str | StrPromise,
        intro: str | StrPromise,
        submit_label: str | StrPromise,
        describe: Callable[[Any], str] = str,
        form_kwargs: dict[str, Any] | None = None,
    ) -> tuple[forms.Form | None, TemplateResponse | None]:
        """(the valid submitted form, None), or (None, the page to show)."""
        form_kwargs = form_kwargs or {}
        if "apply" in request.POST:
            form = form_class(request.POST, **form_kwargs)
            if form.is_valid():
                return form, None
        else:
            form = form_class(**form_kwargs)
        objects = list(queryset)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
            "opts": self.opts,
            "form": form,
            "objects": [(obj.pk, describe(obj)) for obj in objects],
            "action": action,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return None, TemplateResponse(request, ACTION_FORM_TEMPLATE, context)

    def run_each(
        self,
        request: HttpRequest,
        objects: Iterable[Any],
        call: Callable[[Any], bool],
        *,
        describe: Callable[[Any], str],
        done: StrPromise,
        unchanged: StrPromise | None = None,
    ) -> None:
        """Call the service for each object on its own; report successes and each refusal.

        ``call`` returns whether it changed anything (a service no-op returns False). ``done`` and
        ``unchanged`` count the rows: ``ngettext_lazy(singular, plural, "count")``.
        """
        changed = same = 0
        for obj in objects:
            try:
                if call(obj):
                    changed += 1
                else:
                    same += 1
            except DomainError as error:
                self.message_user(
                    request,
                    gettext("%(object)s: %(error)s")
                    % {"object": describe(obj), "error": error_text(error)},
                    messages.ERROR,
                )
        if changed:
            self.message_user(request, done % {"count": changed}, messages.SUCCESS)
        if same and unchanged is not None:
            self.message_user(request, unchanged % {"count": same}, messages.WARNING)


# A reason action's call on one row: (row, actor, reason, now) → whether it changed anything.
RowCall = Callable[[Any, Any, str, datetime], bool]


def reason_action(
    name: str,
    call: RowCall,
    *,
    description: StrPromise,
    permission: str,
    title: StrPromise,
    intro: StrPromise,
    submit_label: StrPromise,
    describe: Callable[[Any], str],
    done: StrPromise,
    unchanged: StrPromise | None = None,
    reason_required: bool = True,
    related: tuple[str, ...] = (),
) -> Callable[..., TemplateResponse | None]:
    """The action ``name`` of a ``ServiceActionsMixin`` admin, declared as ``name = reason_action(
    "name", ...)``: a page asks for a reason, then ``call(row, actor, reason, now)`` runs on each
    selected row in id order (read with its ``related`` rows), reported as by ``run_each``.

    ``permission`` gates it as in ``admin.action``; the page's texts are lazy, worded when shown.
    """

    @admin.action(description=description, permissions=[permission])
    def action(
        model_admin: ServiceActionsMixin, request: HttpRequest, queryset: QuerySet[Any]
    ) -> TemplateResponse | None:
        rows = queryset.select_related(*related) if related else queryset
        form, page = model_admin.form_page(
            request,
            rows,
            form_class=ReasonForm,
            form_kwargs={"reason_required": reason_required},
            action=name,
            title=title,
            intro=intro,
            submit_label=submit_label,
            describe=describe,
        )
        if page is not None:
            return page
        now, reason = timezone.now(), form.cleaned_data["reason"]
        model_admin.run_each(
            request,
            rows.order_by("pk"),
            lambda row: call(row, request.user, reason, now),
            describe=describe,
            done=done,
            unchanged=unchanged,
        )
        return None

    action.__name__ = name
    return action


class FinanceActionsMixin(ServiceActionsMixin):
    """Service actions; those marked ``permissions=["finance"]`` only Finance may take."""

    def has_finance_permission(self, request: HttpRequest) -> bool:
        return is_finance(request.user)


class FinanceRecordAdmin(FinanceActionsMixin, admin.ModelAdmin):
    """A money record nobody adds, edits or deletes in the admin; Finance acts on it by action.

    Model level, Finance may change (so the actions show); object level the form is read-only.
    """

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and self.has_finance_permission(request)
