"""The HTML of one line's card on the order page, written from a ``cards.LineCard``.

An order page shows a card per line, fifty and more. Through the template engine a card cost about
half a millisecond (some eighty variable, tag and translation nodes), most of the page's own time;
written here, as ``charts`` writes its SVG, it costs a tenth of that. The markup and the sentences
are the ones the card template had (the same message ids, so the same translations), every value is
escaped, and the page template (``portal/order_detail.html``) still lays out the page around them.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from orders.models import BoostStatus

from .cards import LineCard, local_time

MINUTE = "%Y-%m-%d %H:%M"


def card_html(card: LineCard, *, now: datetime) -> SafeString:
    """The card of ``card`` as of ``now``, every text escaped."""
    line, boost = card.line, card.boost
    meta = f"{_t(_('Fixed price'))} {escape(card.price)}"
    if boost is not None:
        meta += f" · {_t(_('Boost fee'))} {escape(card.fee)} ({escape(card.premium)})"
    if line.platform_video_id:
        meta += f" · {_t(_('Video'))} {escape(line.platform_video_id)}"
    if boost is not None:
        badge = f'<span class="badge {card.badge}">{escape(boost.get_status_display())}</span>'
    else:
        badge = f'<span class="badge badge-none">{_t(_("No boost"))}</span>'
    head = (
        f'<section class="card" id="line-{line.pk}" data-status="{escape(card.status)}">'
        f'<div class="card-head"><h3>{escape(line.influencer.name)}</h3>{badge}'
        f'<span class="meta">{meta}</span></div>'
    )
    return mark_safe(f"{head}{_body(card, now=now)}</section>")  # every part escaped above


def _t(text: str, **values: object) -> str:
    """A translated text, escaped, with its escaped ``%(name)s`` values filled in."""
    escaped = escape(text)
    return escaped % {k: escape(str(v)) for k, v in values.items()} if values else escaped


def _facts(*pairs: tuple[str, str]) -> str:
    """A facts list of (escaped term, escaped value) pairs."""
    return "".join(f"<dt>{term}</dt><dd>{value}</dd>" for term, value in pairs)


def _body(card: LineCard, *, now: datetime) -> str:
    line, boost = card.line, card.boost
    if boost is None:
        if line.published_at:
            text = _t(
                _("Published %(at)s. This video was bought without a boost."),
                at=local_time(line.published_at, MINUTE),
            )
        else:
            text = _t(_("Not published yet. This video was bought without a boost."))
        return f'<div class="card-body single"><p class="muted">{text}</p></div>'
    parts = [_state(card, now=now)]
    if card.threshold and not card.refunded_unpublished:
        parts.append(
            '<p class="note cap">'
            + _t(
                _(
                    "Below about %(percent)s %% of the expected views (%(views)s of %(expected)s), "
                    "the whole boost fee of %(fee)s comes back; between that and the expected "
                    "views, part of it; at or above the expected views, nothing."
                ),
                percent=card.threshold.percent,
                views=card.threshold_views,
                expected=card.expected,
                fee=card.fee,
            )
            + "</p>"
        )
    if card.settlement is not None:
        parts.append(_statement(card))
    single = "" if card.chart else " single"
    chart = f"<div>{card.chart}</div>" if card.chart else ""
    return f'<div class="card-body{single}"><div>{"".join(parts)}</div>{chart}</div>'


def _state(card: LineCard, *, now: datetime) -> str:
    """What the boost is doing: waiting to be published, refunded unpublished, or its views."""
    boost = card.boost
    assert boost is not None
    expected = (_t(_("Expected views")), escape(card.expected))
    if boost.status == BoostStatus.AWAITING_PUBLISH:
        facts = _facts(expected, (_t(_("Valid until")), local_time(boost.valid_until, MINUTE)))
        if card.validity_over:
            note = _t(
                _(
                    "The validity period is over and the video was not published: the boost is "
                    "expiring and its fee will be refunded."
                )
            )
        else:
            left = _t(_("%(left)s left to publish."), left=timeuntil(boost.valid_until, now))
            promise = _t(
                _(
                    "The 14-day boost starts when the influencer publishes the video. If it is "
                    "not published in time, the boost expires and the fee %(fee)s is refunded "
                    "within 7 working days."
                ),
                fee=card.fee,
            )
            note = f"<strong>{left}</strong> {promise}"
        return f'<dl class="facts">{facts}</dl><p class="note">{note}</p>'
    if card.refunded_unpublished:
        if boost.status == BoostStatus.EXPIRED:
            ended = (_t(_("Valid until")), local_time(boost.valid_until, MINUTE))
        else:
            ended = (_t(_("Cancelled")), local_time(boost.status_changed_at, MINUTE))
        return f'<dl class="facts">{_facts(expected, ended)}</dl>'
    if boost.window_start is None:
        return ""
    return _views(card, now=now)


def _views(card: LineCard, *, now: datetime) -> str:
    """Views so far against the expected ones, the window, and the projection or what is awaited."""
    boost = card.boost
    assert boost is not None
    views = escape(card.views) if card.current_views is not None else "—"
    mark = ""
    if card.threshold:
        mark = (
            f'<div class="mark" style="left: {card.threshold_left}%" '
            f'title="{_t(_("whole fee back below this"))}"></div>'
        )
    if card.current_views is None:
        reached = _t(_("No view data yet."))
    else:
        reached = _t(_("%(p)s %% of the expected views"), p=card.reached_text)
    if card.observed_at:
        reached += " · " + _t(_("counted %(at)s"), at=card.counted_at)
    window = [(_t(_("Published")), card.published), (_t(_("Boost ends")), card.ends)]
    if card.running:
        if card.window_over:
            left = _t(_("The 14 days are over; the result is being settled."))
        else:
            left = escape(timeuntil(boost.window_end, now))
        window.append((_t(_("Time left")), left))
    parts = [
        f'<div class="muted small">{_t(_("Views so far"))}</div>'
        f'<div class="bigviews">{views} <span class="muted small">/ {escape(card.expected)} '
        f"{_t(_('expected'))}</span></div>"
        f'<div class="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" '
        f'aria-valuenow="{card.progress_now}"><div class="bar {card.bar_class}" '
        f'style="width: {card.progress_width}%"></div>{mark}</div>'
        f'<div class="muted small">{reached}</div>'
        f'<dl class="facts spaced">{_facts(*window)}</dl>'
    ]
    if card.running and not card.window_over:
        if card.projection:
            projected = _t(
                _(
                    "Projected for day 14: about %(views)s views (%(p)s %% of expected), from "
                    "the trend so far."
                ),
                views=card.projected,
                p=card.projection_text,
            )
        else:
            projected = _t(_("A projection for day 14 appears after 12 hours of view data."))
        parts.append(f'<p class="note projection">{projected}</p>')
    elif boost.status == BoostStatus.AWAITING_VIEWS:
        waiting = _t(
            _(
                "The 14 days are over. We are waiting for the final view count of the video "
                "before settling; nothing is lost meanwhile."
            )
        )
        parts.append(f'<p class="note">{waiting}</p>')
    return "".join(parts)


def _statement(card: LineCard) -> str:
    """The settlement: why, the filled-in formula, the amount, when it is due and paid."""
    boost, settlement = card.boost, card.settlement
    assert boost is not None and settlement is not None
    formula = f'<code class="formula">{escape(card.formula)}</code>'
    if settlement.kind == "refund":
        if boost.status == BoostStatus.CANCELLED:
            why = _t(
                _(
                    "The boost was cancelled before the video was published, so the whole boost "
                    "fee of %(fee)s is refunded."
                ),
                fee=card.amount,
            )
        else:
            why = _t(
                _(
                    "The video was not published within one month (by %(until)s), so the boost "
                    "expired and the whole boost fee of %(fee)s is refunded."
                ),
                until=local_time(boost.valid_until, MINUTE),
                fee=card.amount,
            )
        explained = f"<p>{why}</p>"
    elif settlement.kind == "none":
        succeeded = _t(
            _(
                "The video reached its expected views within the 14 days: the boost succeeded "
                "and nothing is owed."
            )
        )
        explained = f"<p>{succeeded}</p>{formula}"
    else:
        rule = _t(
            _(
                "Compensation = (expected views − actual views) / 1000 × expected CPM, at most "
                "the boost fee:"
            )
        )
        explained = f'<p class="small muted">{rule}</p>{formula}'
    facts = [(_t(_("Amount")), f"<strong>{escape(card.amount)}</strong>")]
    if settlement.amount:
        due = f"{settlement.due_date:%Y-%m-%d}"
        if settlement.due_date_provisional:
            provisional = _t(
                _("(provisional: the official holiday calendar for that year is not out yet)")
            )
            due += f' <span class="provisional">{provisional}</span>'
        if settlement.paid_at:
            paid = local_time(settlement.paid_at, MINUTE)
        else:
            status = escape(settlement.get_status_display())
            paid = f'<span class="muted">{_t(_("Not yet"))} ({status})</span>'
        facts += [(_t(_("Due by")), due), (_t(_("Paid")), paid)]
    title = f"{_t(_('Settlement'))}: {escape(settlement.get_kind_display())}"
    return (
        f'<div class="statement"><h3>{title}</h3>{explained}'
        f'<dl class="facts spaced">{_facts(*facts)}</dl></div>'
    )
