"""Who sees which field and which link in the admin: permissions as data, for every admin page.

A field that shows rows of another model (a client's ledger) is declared with the permission it
needs, and a read-only foreign key links to the related row's page only for those who may open
it: Django links it for everyone, so Operations would otherwise meet ledger entries, users and
API tokens as links to a 403. Nothing here decides what a user may *do*; the admin classes and
the groups migration do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.contrib import admin
from django.db.models import Model

# Client ledgers are Finance's (the groups migration): every page that shows ledger rows, a
# running balance after an entry or a link to the ledger asks for this permission.
VIEW_LEDGER = "orders.view_ledgerentry"


def may_open(user: Any, model: type[Model]) -> bool:
    """Whether ``user`` may open ``model``'s admin pages (its view or change permission)."""
    opts = model._meta
    actions = ("view", "change")
    return any(user.has_perm(f"{opts.app_label}.{a}_{opts.model_name}") for a in actions)


class PermissionFieldsMixin:
    """Fields, list columns and links shown only to users who hold the permission they need.

    ``field_permissions`` maps a field or column name to the permission it needs, e.g.
    ``{"ledger_link": VIEW_LEDGER}``; without it the field is left out of the form, the fieldsets
    and the list, as if it were not declared. A foreign key shown read-only to a user who may not
    open the related model reads as plain text instead of a link. For model admins and inlines.
    """

    field_permissions: Mapping[str, str] = {}

    def hidden_fields(self, request) -> set[str]:
        """The fields ``request.user`` may not see."""
        return {
            name
            for name, permission in self.field_permissions.items()
            if not request.user.has_perm(permission)
        }

    def get_fields(self, request, obj=None):
        return _without(super().get_fields(request, obj), self.hidden_fields(request))

    def get_fieldsets(self, request, obj=None):
        hidden = self.hidden_fields(request)
        plain = self._plain_links(request, obj)
        fieldsets = []
        for name, options in super().get_fieldsets(request, obj):
            fields = _swapped(_without(options["fields"], hidden), plain)
            if fields:
                fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *self._plain_links(request, obj).values()]

    def get_list_display(self, request):
        return _without(super().get_list_display(request), self.hidden_fields(request))

    def _plain_links(self, request, obj) -> dict[str, Callable[[Any], str]]:
        """The read-only foreign keys of this page whose target ``request.user`` may not open,
        each with the plain-text display that replaces it."""
        readonly = set(super().get_readonly_fields(request, obj))
        all_readonly = self._shown_read_only(request, obj)
        plain = {}
        for field in self.model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if not (field.many_to_one or field.one_to_one) or not field.concrete or related is None:
                continue
            if (field.name in readonly or all_readonly) and not may_open(request.user, related):
                plain[field.name] = self._plain_display(field)
        return plain

    def _shown_read_only(self, request, obj) -> bool:
        """Whether the admin shows every field of this page read-only (a view-only user)."""
        if isinstance(self, admin.options.InlineModelAdmin):
            parent = self.admin_site._registry.get(self.parent_model)
            editable = parent is not None and (
                parent.has_change_permission(request, obj)
                if obj is not None
                else parent.has_add_permission(request)
            )
            return not (editable and self.has_change_permission(request, obj)) and not (
                editable and self.has_add_permission(request, obj)
            )
        return obj is not None and not self.has_change_permission(request, obj)

    def _plain_display(self, field: Any) -> Callable[[Any], str]:
        """One display function per field and admin, so the form and the page agree on it."""
        cache = self.__dict__.setdefault("_plain_displays", {})
        if field.name not in cache:

            def plain(obj: Any) -> str:
                value = getattr(obj, field.name, None)
                return admin.site.empty_value_display if value is None else str(value)

            plain.short_description = field.verbose_name  # type: ignore[attr-defined]
            cache[field.name] = plain
        return cache[field.name]


def _without(fields: Sequence[Any], hidden: set[str]) -> list[Any]:
    """``fields`` without the hidden ones, also inside the tuples that put fields on one row."""
    kept: list[Any] = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            row = [f for f in field if f not in hidden]
            if row:
                kept.append(tuple(row))
        elif field not in hidden:
            kept.append(field)
    return kept


def _swapped(fields: Sequence[Any], plain: Mapping[str, Any]) -> list[Any]:
    """``fields`` with each foreign key in ``plain`` replaced by its display, each field once."""
    seen: set[Any] = set()
    swapped: list[Any] = []
    for field in fields:
        if isinstance(field, (list, tuple)):
            row = tuple(plain.get(f, f) if isinstance(f, str) else f for f in field)
            swapped.append(row)
            seen.update(row)
            continue
        shown = plain.get(field, field) if isinstance(field, str) else field
        if shown not in seen:
            seen.add(shown)
            swapped.append(shown)
    return swapped
