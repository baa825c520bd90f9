"""Recovery cases in the admin (DESIGN §5): their own list, inline on the settlement, and the
influencer's shortfall history.

Finance proposes recovered or waived with a reason; a second finance user approves or rejects
the proposal (``services.propose_recovery_decision`` and the two decisions), by action pages as
adjustments are. The rows are read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from kernel.display import yuan
from orders.admin import ReadOnlyInline
from orders.admin.base import column
from orders.admin.influencers import InfluencerAdmin

from .. import selectors, services
from ..models import RecoveryCase
from .base import (
    DASH,
    ActionForm,
    FinanceRecordAdmin,
    admin_link,
    local_time,
    reason_action,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


class RecoveryCaseInline(ReadOnlyInline):
    """A creator-caused compensation's recovery case, on its settlement's page."""

    model = RecoveryCase
    fields = (
        "influencer",
        "amount",
        "status",
        "proposed_status",
        "proposed_reason",
        "proposed_by",
        "decided_by",
        "decided_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet[RecoveryCase]:
        return (
            super().get_queryset(request).select_related("influencer", "proposed_by", "decided_by")
        )


# What an action page and its messages name a recovery case by (``describe_case``).
CASE_RELATED = ("influencer", "settlement__boost__line__order")


def describe_case(case: RecoveryCase) -> str:
    """One line naming a recovery case on an action page or in a message."""
    return gettext("#%(id)s %(amount)s from %(influencer)s (order %(order)s)") % {
        "id": case.pk,
        "amount": yuan(case.amount),
        "influencer": case.influencer.name,
        "order": case.settlement.boost.line.order.code,
    }


def _proposal_title(decision: str) -> str:
    """The proposal page's title in the reader's language (worded when shown, through ``lazy``)."""
    return gettext("Propose: %(decision)s") % {"decision": RecoveryCase.Status(decision).label}


def _propose_action(name: str, decision: str, description: StrPromise) -> Callable[..., Any]:
    """The action proposing that a case ends ``decision`` (recovered or waived), with a reason."""

    def propose(case: RecoveryCase, actor: Any, reason: str, now: datetime) -> bool:
        services.propose_recovery_decision(
            case=case, decision=decision, reason=reason, actor=actor, now=now
        )
        return True

    return reason_action(
        name,
        propose,
        description=description,
        permission="finance",
        title=lazy(_proposal_title, str)(decision),
        intro=_("A second finance user approves or rejects the proposal."),
        submit_label=_("Propose"),
        describe=describe_case,
        done=ngettext_lazy("%(count)d proposal made.", "%(count)d proposals made.", "count"),
        related=CASE_RELATED,
    )


def _reject_proposal(case: RecoveryCase, actor: Any, reason: str, now: datetime) -> bool:
    """Turn down one case's proposal; the case stays open."""
    services.reject_recovery_decision(case=case, actor=actor, reason=reason, now=now)
    return True


class RecoveryCaseAdmin(FinanceRecordAdmin):
    """Compensation owed back by creators; decided four-eyes by finance."""

    list_display = (
        "__str__",
        "influencer_link",
        "settlement_link",
        "amount_display",
        "status",
        "proposed_status",
        "proposed_by",
        "opened_at",
        "decided_by",
        "decided_at",
    )
    list_filter = ("status", "proposed_status", ("opened_at", admin.DateFieldListFilter))
    search_fields = (
        "influencer__name",
        "influencer__platform_id",
        "settlement__boost__line__order__code",
    )
    search_help_text = _("Influencer or order code")
    list_select_related = (
        "influencer",
        "settlement__boost__line__order",
        "proposed_by",
        "decided_by",
    )
    fields = (
        "influencer_link",
        "settlement_link",
        "amount_display",
        "status",
        "opened_at",
        "proposed_status",
        "proposed_reason",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "decided_at",
    )
    readonly_fields = fields
    actions = (
        "propose_recovered",
        "propose_waived",
        "approve_proposals",
        "reject_proposals",
    )

    @admin.display(description=_("influencer"), ordering="influencer__name")
    def influencer_link(self, case: RecoveryCase) -> str:
        return admin_link(case.influencer)

    @admin.display(description=_("settlement"))
    def settlement_link(self, case: RecoveryCase) -> str:
        settlement = case.settlement
        return admin_link(settlement, f"#{settlement.pk} {settlement.boost.line.order.code}")

    amount_display = column(_("amount"), "amount", yuan)

    propose_recovered = _propose_action(
        "propose_recovered",
        RecoveryCase.Status.RECOVERED,
        _("Propose: recovered (asks for a reason)"),
    )
    propose_waived = _propose_action(
        "propose_waived", RecoveryCase.Status.WAIVED, _("Propose: waived (asks for a reason)")
    )

    @admin.action(description=_("Approve the proposals"), permissions=["finance"])
    def approve_proposals(
        self, request: HttpRequest, queryset: QuerySet[RecoveryCase]
    ) -> TemplateResponse | None:
        queryset = queryset.select_related(*CASE_RELATED)
        form, page = self.form_page(
            request,
            queryset,
            form_class=ActionForm,
            action="approve_proposals",
            title=gettext("Approve recovery proposals"),
            intro=gettext("Each case takes the status proposed for it; a decision is final."),
            submit_label=gettext("Approve"),
            describe=lambda case: format_html(
                "{}<br>{}",
                describe_case(case),
                gettext("Proposed: %(decision)s — %(reason)s")
                % {
                    "decision": case.get_proposed_status_display() or DASH,
                    "reason": case.proposed_reason or DASH,
                },
            ),
        )
        if page is not None:
            return page
        now = timezone.now()

        def call(case: RecoveryCase) -> bool:
            before = case.status
            return (
                services.approve_recovery_decision(case=case, actor=request.user, now=now).status
                != before
            )

        self.run_each(
            request,
            queryset.order_by("pk"),
            call,
            describe=describe_case,
            done=ngettext_lazy("%(count)d case decided.", "%(count)d cases decided.", "count"),
        )
        return None

    reject_proposals = reason_action(
        "reject_proposals",
        _reject_proposal,
        description=_("Reject the proposals (asks for a reason)"),
        permission="finance",
        title=_("Reject recovery proposals"),
        intro=_("The cases stay open for another proposal."),
        submit_label=_("Reject"),
        describe=describe_case,
        done=ngettext_lazy(
            "%(count)d proposal rejected.", "%(count)d proposals rejected.", "count"
        ),
        related=CASE_RELATED,
    )


class InfluencerShortfallAdmin(InfluencerAdmin):
    """The influencer page with its shortfall history: each compensation, its cause and recovery."""

    fieldsets = [
        *InfluencerAdmin.fieldsets,
        (_("Shortfall history"), {"fields": ["boost_suspended_until", "shortfall_history"]}),
    ]
    readonly_fields = [
        *InfluencerAdmin.readonly_fields,
        "boost_suspended_until",
        "shortfall_history",
    ]

    @admin.display(description=_("compensations"))
    def shortfall_history(self, influencer) -> str:
        if influencer.pk is None:
            return DASH
        rows = list(selectors.influencer_shortfalls(influencer.pk))
        if not rows:
            return gettext("No shortfall so far.")
        recovery = {s.pk: getattr(s, "recovery", None) for s in rows}
        return format_html(
            '<table class="sb-table"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("settled"),
            gettext("order"),
            gettext("compensation"),
            gettext("cause"),
            gettext("recovery"),
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        local_time(s.computed_at),
                        admin_link(s, s.boost.line.order.code),
                        yuan(s.amount),
                        s.get_cause_display(),
                        admin_link(recovery[s.pk], recovery[s.pk].get_status_display())
                        if recovery[s.pk]
                        else DASH,
                    )
                    for s in rows
                ),
            ),
        )
