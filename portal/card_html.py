"""The HTML of the line cards on the order page, written from ``cards.LineCard``s.

An order page shows a card per line, fifty and more. Through the template engine a card cost about
half a millisecond (some eighty variable, tag and translation nodes), most of the page's own time;
written here, as ``charts`` writes its SVG, it costs a fraction of that. A ``CardWriter`` serves one
page: it looks up its translations and time zone once, not once a card. The markup and the
sentences are the ones the card template had (the same message ids, so the same translations),
every value is escaped, and the page template (``portal/order_detail.html``) lays out the rest.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from kernel.display import duration
from orders.models import BoostStatus, VideoStatus

from .cards import LineCard

MINUTE = "%Y-%m-%d %H:%M"


def _fill(text: str, **values: object) -> str:
    """An escaped message with its ``%(name)s`` values filled in, escaped."""
    return text % {name: escape(str(value)) for name, value in values.items()}


class CardWriter:
    """Writes the cards of one page as of ``now``."""

    def __init__(self, *, now: datetime) -> None:
        self.now = now
        self.zone = timezone.get_current_timezone()
        self.statuses = {status: escape(str(label)) for status, label in BoostStatus.choices}
        self.fixed_price = escape(_("Fixed price"))
        self.boost_fee = escape(_("Boost fee"))
        self.video = escape(_("Video"))
        self.no_boost = escape(_("No boost"))
        self.published_unboosted = escape(
            _("Published %(at)s. This video was bought without a boost.")
        )
        self.unpublished_unboosted = escape(
            _("Not published yet. This video was bought without a boost.")
        )
        self.expected_views = escape(_("Expected views"))
        self.valid_until = escape(_("Valid until"))
        self.cancelled = escape(_("Cancelled"))
        self.validity_over = escape(
            _(
                "The validity period is over and the video was not published: the boost is "
                "expiring and its fee will be refunded."
            )
        )
        self.left_to_publish = escape(_("%(left)s left to publish."))
        self.promise = escape(
            _(
                "The 14-day boost starts when the influencer publishes the video. If it is not "
                "published in time, the boost expires and the fee %(fee)s is refunded within 7 "
                "working days."
            )
        )
        self.views_so_far = escape(_("Views so far"))
        self.views_settled = escape(_("Settled views"))
        self.expected = escape(_("expected"))
        self.no_views = escape(_("No view data yet."))
        self.reached = escape(_("%(p)s %% of the expected views"))
        self.counted = escape(_("counted %(at)s"))
        self.published = escape(_("Published"))
        self.boost_ends = escape(_("Boost ends"))
        self.time_left = escape(_("Time left"))
        self.window_over = escape(_("The 14 days are over; the result is being settled."))
        self.projected = escape(
            _(
                "Projected for day 14: about %(views)s views (%(p)s %% of expected), from the "
                "trend so far."
            )
        )
        self.projection_later = escape(
            _("A projection for day 14 appears after 12 hours of view data.")
        )
        self.awaiting_views = escape(
            _(
                "The 14 days are over. We are waiting for the final view count of the video "
                "before settling; nothing is lost meanwhile."
            )
        )
        self.cap = escape(
            _(
                "Below about %(percent)s %% of the expected views (%(views)s of %(expected)s), "
                "the whole boost fee of %(fee)s comes back; between that and the expected views, "
                "part of it; at or above the expected views, nothing."
            )
        )
        self.cancelled_refund = escape(
            _(
                "The boost was cancelled before the video was published, so the whole boost fee "
                "of %(fee)s is refunded."
            )
        )
        self.expired_refund = escape(
            _(
                "The video was not published within one month (by %(until)s), so the boost "
                "expired and the whole boost fee of %(fee)s is refunded."
            )
        )
        self.succeeded = escape(
            _(
                "The video reached its expected views within the 14 days: the boost succeeded "
                "and nothing is owed."
            )
        )
        self.compensation_rule = escape(
            _(
                "Compensation = (expected views − actual views) / 1000 × expected CPM, at most "
                "the boost fee:"
            )
        )
        self.settlement = escape(_("Settlement"))
        self.amount = escape(_("Amount"))
        self.due_by = escape(_("Due by"))
        self.provisional = escape(
            _("(provisional: the official holiday calendar for that year is not out yet)")
        )
        self.paid = escape(_("Paid"))
        self.awaiting_payment = escape(_("Awaiting payment"))
        self.adjustment = escape(_("Adjustment"))
        self.net_amount = escape(_("Net amount"))
        self.video_status = escape(_("Video status"))
        self.status_at = escape(_("%(status)s at %(at)s"))
        # Plain words: ``_fill`` escapes them as it writes them.
        self.status_words = {
            VideoStatus.LIVE: _("The video is visible again"),
            VideoStatus.RESTORED: _("The video is visible again"),
            VideoStatus.REMOVED_BY_CREATOR: _("The video was removed by the influencer"),
            VideoStatus.PRIVATE: _("The video was made private by the influencer"),
            VideoStatus.TAKEN_DOWN: _("The video was taken down by the platform"),
        }
        self.frozen_now = escape(
            _(
                "While the video is not visible, its counted views stay at %(views)s, the last "
                "count before the change; the 14 days are not extended."
            )
        )
        self.frozen_before = escape(
            _(
                "Counts observed while the video was not visible were not counted; the 14 days "
                "were not extended."
            )
        )
        self.causes = {
            "creator_caused": escape(
                _(
                    "The shortfall happened while the influencer had removed or hidden the "
                    "video. You keep the compensation; the platform claims it back from the "
                    "influencer."
                )
            ),
            "platform_caused": escape(
                _(
                    "The shortfall happened while the platform had taken the video down. You "
                    "keep the compensation."
                )
            ),
        }

    def card(self, card: LineCard) -> SafeString:
        """The card's ``<section>``, every text escaped."""
        line, boost = card.line, card.boost
        meta = f"{self.fixed_price} {escape(card.price)}"
        if boost is not None:
            meta += f" · {self.boost_fee} {escape(card.fee)} ({escape(card.premium)})"
            badge = f'<span class="badge {card.badge}">{self.statuses[boost.status]}</span>'
        else:
            badge = f'<span class="badge badge-none">{self.no_boost}</span>'
        if line.platform_video_id:
            meta += f" · {self.video} {escape(line.platform_video_id)}"
        return mark_safe(  # every part is escaped as it is written
            f'<section class="card" id="line-{line.pk}" data-status="{escape(card.status)}">'
            f'<div class="card-head"><h3>{escape(line.influencer.name)}</h3>{badge}'
            f'<span class="meta">{meta}</span></div>{self._body(card)}</section>'
        )

    def _time(self, value: datetime, pattern: str = MINUTE) -> str:
        """What the ``date`` filter writes for the same pattern, in the page's time zone."""
        return value.astimezone(self.zone).strftime(pattern)

    def _body(self, card: LineCard) -> str:
        line, boost = card.line, card.boost
        if boost is None:
            if line.published_at:
                text = _fill(self.published_unboosted, at=self._time(line.published_at))
            else:
                text = self.unpublished_unboosted
            return f'<div class="card-body single"><p class="muted">{text}</p></div>'
        fee = card.fee
        parts = [self._state(card, fee)]
        if card.threshold and not card.refunded_unpublished:
            cap = _fill(
                self.cap,
                percent=card.threshold.percent,
                views=card.threshold_views,
                expected=card.expected,
                fee=fee,
            )
            parts.append(f'<p class="note cap">{cap}</p>')
        if card.settlement is not None:
            parts.append(self._statement(card))
        single = "" if card.chart else " single"
        chart = f"<div>{card.chart}</div>" if card.chart else ""
        return f'<div class="card-body{single}"><div>{"".join(parts)}</div>{chart}</div>'

    def _state(self, card: LineCard, fee: str) -> str:
        """What the boost is doing: waiting to be published, refunded unpublished, or its views."""
        boost = card.boost
        assert boost is not None
        expected = f"<dt>{self.expected_views}</dt><dd>{escape(card.expected)}</dd>"
        if boost.status == BoostStatus.AWAITING_PUBLISH:
            until = f"<dt>{self.valid_until}</dt><dd>{self._time(boost.valid_until)}</dd>"
            if card.validity_over:
                note = self.validity_over
            else:
                left = _fill(self.left_to_publish, left=duration(boost.valid_until - self.now))
                note = f"<strong>{left}</strong> {_fill(self.promise, fee=fee)}"
            return f'<dl class="facts">{expected}{until}</dl><p class="note">{note}</p>'
        if card.refunded_unpublished:
            if boost.status == BoostStatus.EXPIRED:
                ended = f"<dt>{self.valid_until}</dt><dd>{self._time(boost.valid_until)}</dd>"
            else:
                ended = f"<dt>{self.cancelled}</dt><dd>{self._time(boost.status_changed_at)}</dd>"
            return f'<dl class="facts">{expected}{ended}</dl>'
        if boost.window_start is None or boost.window_end is None:
            return ""
        return self._views(card)

    def _views(self, card: LineCard) -> str:
        """Views so far against the expected ones, the window, then the projection or the wait."""
        boost = card.boost
        assert boost is not None and boost.window_start and boost.window_end
        views = escape(card.views) if card.current_views is not None else "—"
        mark = ""
        if card.threshold:  # what the red mark means, the page's legend says once
            mark = f'<div class="mark" data-left="{card.threshold_left}"></div>'
        if card.current_views is None:
            reached = self.no_views
        else:
            reached = _fill(self.reached, p=card.reached_text)
        if card.observed_at:
            reached += " · " + _fill(self.counted, at=self._time(card.observed_at, "%m-%d %H:%M"))
        window = (
            f"<dt>{self.published}</dt><dd>{self._time(boost.window_start)}</dd>"
            f"<dt>{self.boost_ends}</dt><dd>{self._time(boost.window_end)}</dd>"
        )
        if card.running:
            if card.window_over:
                left = self.window_over
            else:
                left = escape(duration(boost.window_end - self.now))
            window += f"<dt>{self.time_left}</dt><dd>{left}</dd>"
        html = (
            f'<div class="muted small">{self.views_settled if card.settled else self.views_so_far}'
            "</div>"
            f'<div class="bigviews">{views} <span class="muted small">/ {escape(card.expected)} '
            f"{self.expected}</span></div>"
            # A progressbar's range is 0 to 100 unless it says otherwise (WAI-ARIA).
            f'<div class="progress" role="progressbar" aria-valuenow="{card.progress_now}">'
            f'<div class="bar {card.bar_class}" '
            f'data-width="{card.progress_width}"></div>{mark}</div>'
            f'<div class="muted small">{reached}</div>'
            f'<dl class="facts spaced">{window}</dl>'
        )
        if card.running and not card.window_over:
            if card.projection:
                projected = _fill(self.projected, views=card.projected, p=card.projection_text)
            else:
                projected = self.projection_later
            html += f'<p class="note projection">{projected}</p>'
        elif boost.status == BoostStatus.AWAITING_VIEWS:
            html += f'<p class="note">{self.awaiting_views}</p>'
        return html + self._video_statuses(card)

    def _video_statuses(self, card: LineCard) -> str:
        """The video's status history and how it changed the counted views (DESIGN §5)."""
        if not card.video_statuses:
            return ""
        rows = "".join(
            "<li>"
            + _fill(self.status_at, status=self.status_words.get(status, status), at=self._time(at))
            + "</li>"
            for at, status in card.video_statuses
        )
        if card.frozen:
            note = _fill(self.frozen_now, views=card.views)
        else:
            note = self.frozen_before
        return (
            f'<div class="video-status"><div class="muted small">{self.video_status}</div>'
            f'<ul class="statuses">{rows}</ul><p class="note frozen">{note}</p></div>'
        )

    def _statement(self, card: LineCard) -> str:
        """The settlement: why, the filled-in formula, the amount, when it is due and paid."""
        boost, settlement = card.boost, card.settlement
        assert boost is not None and settlement is not None
        amount = card.amount
        formula = f'<code class="formula">{escape(card.formula)}</code>'
        if settlement.kind == "refund":
            if boost.status == BoostStatus.CANCELLED:
                why = _fill(self.cancelled_refund, fee=amount)
            else:
                why = _fill(self.expired_refund, until=self._time(boost.valid_until), fee=amount)
            explained = f"<p>{why}</p>"
        elif settlement.kind == "none":
            explained = f"<p>{self.succeeded}</p>{formula}"
        else:
            explained = f'<p class="small muted">{self.compensation_rule}</p>{formula}'
            if settlement.cause in self.causes:
                explained += f'<p class="note cause">{self.causes[settlement.cause]}</p>'
        facts = f"<dt>{self.amount}</dt><dd><strong>{escape(amount)}</strong></dd>"
        for adjustment in card.adjustments:
            approved = adjustment.approved_at
            when = (
                f' <span class="muted small">{timezone.localtime(approved):%Y-%m-%d}</span>'
                if approved
                else ""
            )
            note = f" · {escape(adjustment.note)}" if adjustment.note else ""
            facts += (
                f'<dt>{self.adjustment}</dt><dd class="adjustment">'
                f"<strong>{escape(adjustment.amount)}</strong>{when}{note}</dd>"
            )
        if card.adjustments:
            net = escape(card.net)
            facts += f'<dt>{self.net_amount}</dt><dd class="net"><strong>{net}</strong></dd>'
        if settlement.amount:
            due = f"{settlement.due_date:%Y-%m-%d}"
            if settlement.due_date_provisional:
                due += f' <span class="provisional">{self.provisional}</span>'
            if settlement.paid_at:
                paid = self._time(settlement.paid_at)
            else:
                paid = f'<span class="muted">{self.awaiting_payment}</span>'
            facts += f"<dt>{self.due_by}</dt><dd>{due}</dd><dt>{self.paid}</dt><dd>{paid}</dd>"
        title = f"{self.settlement}: {escape(settlement.get_kind_display())}"
        return (
            f'<div class="statement"><h3>{title}</h3>{explained}'
            f'<dl class="facts">{facts}</dl></div>'
        )
