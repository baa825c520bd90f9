"""What every orders admin page shares: read-only bases, links, filters of fixed choices, and
how values are shown (``column`` for a column that formats one value).

Numbers are shown through ``kernel.display`` and rules come from their one implementation
(``orders.pricing.whole_fee_threshold``, worded by ``orders.module.cap_explanation``), so the
admin never re-derives what a screen says.
Who sees which field and link is in ``visibility``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Model, Q, QuerySet
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ..models import BoostStatus
from ..pricing import explain
from .visibility import PermissionFieldsMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

# How many latest ledger entries / snapshots a change form shows before linking to the full list.
RECENT_ROWS = 10


def or_empty(value: Any) -> Any:
    """The admin's empty-value dash for None or ""; a change form would otherwise print "None"."""
    return admin.site.empty_value_display if value is None or value == "" else value


def admin_view_path(
    model_admin: admin.ModelAdmin, route: str, view: Callable[..., Any], name: str
) -> URLPattern:
    """A page of ``model_admin``'s own at ``route``, behind the admin's login and staff check,
    named ``<app>_<model>_<name>`` as Django names the admin's URLs (for ``get_urls``)."""
    opts = model_admin.opts
    return path(
        route,
        model_admin.admin_site.admin_view(view),
        name=f"{opts.app_label}_{opts.model_name}_{name}",
    )


def column(
    description: StrPromise,
    field: str,
    shown: Callable[[Any], Any] | None = None,
    *,
    sortable: bool = True,
) -> Callable[[Any, Any], Any]:
    """A list column or read-only field showing one value of the row: ``field`` (a dotted path
    reads through related rows) formatted by ``shown``, the admin's dash when empty, sorted by
    that field unless ``sortable`` is False. A column that shows more is a method."""
    attrs = field.split(".")

    @admin.display(description=description, ordering="__".join(attrs) if sortable else None)
    def value(model_admin: Any, obj: Any) -> Any:
        for name in attrs:
            obj = getattr(obj, name)
        return or_empty(obj if shown is None else shown(obj))

    return value


def change_url(obj_or_model: Model | type[Model], pk: Any = None) -> str:
    """The admin change page of ``obj_or_model`` (an instance, or a model class and ``pk``)."""
    opts = obj_or_model._meta
    return reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change",
        args=[obj_or_model.pk if pk is None else pk],
    )


def changelist_url(model: type[Model], **params: Any) -> str:
    """The admin changelist of ``model``, filtered by the query parameters ``params``."""
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def link(url: str, text: Any) -> str:
    """An escaped ``<a>`` to ``url``."""
    return format_html('<a href="{}">{}</a>', url, text)


def local_instants(value: Any) -> Any:
    """A JSON record (a frozen quote) with its ISO 8601 instants in the project's time zone.

    Quotes store instants as written (``+00:00`` from a re-quote, ``+08:00`` from an order);
    shown to operators, every instant reads in Asia/Shanghai.
    """
    if isinstance(value, dict):
        return {key: local_instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [local_instants(item) for item in value]
    if isinstance(value, str):
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(instant):
            return timezone.localtime(instant).isoformat()
    return value


def preformatted(text: str | None) -> str | None:
    """Multi-line text (a quote's explanation, its inputs) kept as written; None when empty."""
    if not text:
        return None
    return format_html('<pre class="sb-pre-wrap">{}</pre>', text)


def explained_quote(quote: dict[str, Any] | None) -> str | None:
    """A stored quote's 报价计算过程, worded now in the reader's language; None without a quote."""
    return preformatted(explain(quote)) if quote else None


def status_label(value: str) -> str:
    """A boost status's label; the admin's dash for the empty "from" of a boost's first event."""
    return BoostStatus(value).label if value in BoostStatus.values else or_empty(value)


class ConditionFilter(admin.SimpleListFilter):
    """A list filter of fixed choices, each narrowing the rows by its own condition.

    ``conditions`` maps each choice's value in the URL to its label and its ``Q``.
    """

    conditions: Mapping[str, tuple[StrPromise, Q]] = {}

    def lookups(self, request, model_admin) -> list[tuple[str, StrPromise]]:
        return [(value, label) for value, (label, _condition) in self.conditions.items()]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        choice = self.conditions.get(self.value() or "")
        return queryset if choice is None else queryset.filter(choice[1])


class ReadOnlyAdminMixin(PermissionFieldsMixin):
    """Rows written only by services: they can be listed and viewed, never added, edited or
    deleted from the admin, not even by a superuser. What they refer to is linked only for those
    who may open it (``PermissionFieldsMixin``)."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """A tabular inline of service-written rows, each linking to its own read-only page."""

    extra = 0
    can_delete = False
    show_change_link = True
