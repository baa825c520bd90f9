"""A year entered by operators is known only once an operator marks it complete (DESIGN §7).

Issue 17: one entered holiday used to turn every provisional 2027 due date final. Now entering
days moves due dates but keeps them provisional; marking the year complete (audited, on a
confirmation page) makes them final; reopening makes them provisional again. Operators enter a
year's days in bulk from the State Council notice: a preview that writes nothing, then one
replay-safe confirm. The calendar list shows each day's weekday, kind, the library's verdict and
whether the entry contradicts it.

The refund here was ordered Mon Jan 4, 2027 and expired Thu Feb 4: 7 business days by
Monday–Friday are Feb 5, 8–12, 15 → due Mon Feb 15, provisional (the library has no 2027).
"""

from __future__ import annotations

import threading
import uuid
from datetime import date, datetime

import pytest
from django.contrib.admin.templatetags.admin_list import result_headers
from django.db import connection
from django.urls import reverse

from settlements import services
from settlements.calendar_notice import parse_notice
from settlements.models import CalendarDay, CalendarYear, CalendarYearEvent, SettlementEvent
from tests import factories
from tests.factories import SHANGHAI

pytestmark = pytest.mark.django_db

ORDERED_2027 = datetime(2027, 1, 4, 10, 0, tzinfo=SHANGHAI)
NOW = datetime(2027, 1, 5, 9, 0, tzinfo=SHANGHAI)
SOURCE = "国务院办公厅关于2027年部分节假日安排的通知"
# Spring Festival off Sat Feb 6 – Sat Feb 13; Sun Feb 14 and Sat Feb 20 worked. From Thu Feb 4:
# Fri 5 (1), Sun 14 (2), Mon 15 – Fri 19 (3–7) → due Fri Feb 19.
NOTICE = """# 2027
2027-01-01 元旦 休
2027年2月6日至13日 春节 放假
2027-02-14（周日）、2027-02-20 调休上班
"""
NOTICE_DATES = {date(2027, 1, 1): False, date(2027, 2, 14): True, date(2027, 2, 20): True} | {
    date(2027, 2, d): False for d in range(6, 14)
}


@pytest.fixture
def refund_2027():
    settlement = factories.refund(now=ORDERED_2027)
    assert (settlement.due_date, settlement.due_date_provisional) == (date(2027, 2, 15), True)
    return settlement


def due(settlement) -> tuple[date, bool]:
    settlement.refresh_from_db()
    return settlement.due_date, settlement.due_date_provisional


def recomputed(settlement) -> list[dict]:
    return [e.data for e in settlement.events.filter(type=SettlementEvent.Type.DUE_DATE_RECOMPUTED)]


def year_events(year: int = 2027) -> list[tuple[str, str]]:
    return list(
        CalendarYearEvent.objects.filter(calendar_year__year=year).values_list("type", "actor_name")
    )


def enter_notice(actor=None, *, text: str = NOTICE, key: str | None = None, complete=False):
    return services.enter_official_days(
        year=2027,
        days=parse_notice(text).days,
        source=SOURCE,
        text=text,
        key=key or str(uuid.uuid4()),
        complete=complete,
        actor=actor,
        now=NOW,
    )


# --- Services -------------------------------------------------------------------------------


def test_one_holiday_keeps_2027_provisional_and_marking_complete_makes_it_final(
    refund_2027, operations_user
):
    services.enter_calendar_day(
        day=date(2027, 1, 1), is_working_day=False, source=SOURCE, actor=operations_user, now=NOW
    )
    assert due(refund_2027) == (date(2027, 2, 15), True)  # the bug: this used to turn final

    change = services.complete_calendar_year(year=2027, actor=operations_user, now=NOW)

    assert change == services.YearChange(changed=True, recomputed=1)
    assert due(refund_2027) == (date(2027, 2, 15), False)
    assert recomputed(refund_2027) == [
        {"from": "2027-02-15", "to": "2027-02-15", "provisional": False}
    ]


def test_a_day_entered_inside_the_span_moves_the_due_date_and_keeps_a_complete_year_final(
    refund_2027, operations_user
):
    services.enter_calendar_day(
        day=date(2027, 1, 1), is_working_day=False, source=SOURCE, actor=operations_user, now=NOW
    )
    services.complete_calendar_year(year=2027, actor=operations_user, now=NOW)

    services.enter_calendar_day(
        day=date(2027, 2, 10), is_working_day=False, source=SOURCE, actor=operations_user, now=NOW
    )

    assert due(refund_2027) == (date(2027, 2, 16), False)


def test_marking_complete_is_audited_with_who_when_and_how_many(operations_user):
    enter_notice(operations_user)

    services.complete_calendar_year(
        year=2027, note="国办发明电〔2026〕1号", actor=operations_user, now=NOW
    )

    year = CalendarYear.objects.get(year=2027)
    assert (year.completed_at, year.completed_by, year.note) == (
        NOW,
        operations_user,
        "国办发明电〔2026〕1号",
    )
    event = year.events.get(type=CalendarYearEvent.Type.COMPLETED)
    assert (event.actor, event.actor_name, event.at) == (operations_user, "ops", NOW)
    assert event.data == {"holidays": 9, "working_days": 2, "note": "国办发明电〔2026〕1号"}


def test_marking_complete_twice_changes_nothing_the_second_time(operations_user):
    enter_notice(operations_user)
    services.complete_calendar_year(year=2027, actor=operations_user, now=NOW)
    before = factories.row_counts()

    again = services.complete_calendar_year(year=2027, actor=operations_user, now=NOW)

    assert again == services.YearChange(changed=False, recomputed=0)
    assert factories.row_counts() == before


@pytest.mark.parametrize(
    ("year", "message"),
    [(2026, "library already has 2026"), (2028, "No holiday of 2028 is entered yet")],
)
def test_a_library_year_or_one_without_holidays_cannot_be_marked_complete(
    english, operations_user, year, message
):
    services.enter_calendar_day(
        day=date(2028, 2, 26), is_working_day=True, source=SOURCE, actor=operations_user, now=NOW
    )
    before = factories.row_counts()

    with pytest.raises(services.SettlementError, match=message):
        services.complete_calendar_year(year=year, actor=operations_user, now=NOW)

    assert factories.row_counts() == before


def test_reopening_needs_a_reason_makes_due_dates_provisional_again_and_is_audited(
    english, refund_2027, operations_user
):
    enter_notice(operations_user, complete=True)
    assert due(refund_2027) == (date(2027, 2, 19), False)
    with pytest.raises(services.SettlementError, match="Say why"):
        services.reopen_calendar_year(year=2027, reason=" ", actor=operations_user, now=NOW)

    change = services.reopen_calendar_year(
        year=2027, reason="清明节漏录", actor=operations_user, now=NOW
    )

    assert change == services.YearChange(changed=True, recomputed=1)
    assert due(refund_2027) == (date(2027, 2, 19), True)
    year = CalendarYear.objects.get(year=2027)
    assert (year.completed_at, year.completed_by) == (None, None)
    assert year.events.last().data == {"reason": "清明节漏录", "holidays": 9, "working_days": 2}
    assert services.reopen_calendar_year(
        year=2027, reason="again", actor=operations_user, now=NOW
    ) == services.YearChange(changed=False, recomputed=0)


def test_single_entries_and_removals_are_audited_on_their_year(operations_user):
    day, _ = services.enter_calendar_day(
        day=date(2027, 1, 1), is_working_day=False, source=SOURCE, actor=operations_user, now=NOW
    )
    services.enter_calendar_day(
        day=date(2027, 1, 1), is_working_day=True, source=SOURCE, actor=operations_user, now=NOW
    )
    services.remove_calendar_days(days=[day], actor=operations_user, now=NOW)

    events = CalendarYearEvent.objects.filter(calendar_year__year=2027)
    assert [(e.type, e.data) for e in events] == [
        (
            "days_entered",
            {"holidays": ["2027-01-01"], "working_days": [], "replaced": [], "source": SOURCE},
        ),
        (
            "days_entered",
            {
                "holidays": [],
                "working_days": ["2027-01-01"],
                "replaced": ["2027-01-01"],
                "source": SOURCE,
            },
        ),
        ("days_removed", {"removed": ["2027-01-01"]}),
    ]


def test_bulk_entry_writes_every_day_in_one_audited_action_keeping_the_pasted_text(
    refund_2027, operations_user
):
    result = enter_notice(operations_user)

    assert (result.replayed, result.written, result.recomputed) == (False, 11, 1)
    assert dict(CalendarDay.objects.values_list("date", "is_working_day")) == NOTICE_DATES
    assert set(CalendarDay.objects.values_list("source", "created_by")) == {
        (SOURCE, operations_user.pk)
    }
    assert year_events() == [("days_entered", "ops")]
    assert result.event.data["text"] == NOTICE
    assert len(result.event.data["holidays"]) == 9
    assert result.event.data["working_days"] == ["2027-02-14", "2027-02-20"]
    # Moved by the notice, still provisional: 2027 is not marked complete.
    assert due(refund_2027) == (date(2027, 2, 19), True)


def test_the_same_confirmed_form_again_writes_nothing(refund_2027, operations_user):
    first = enter_notice(operations_user, key="k-1")
    before = factories.row_counts()

    again = enter_notice(operations_user, key="k-1")

    assert (again.replayed, again.written, again.event) == (True, 0, first.event)
    assert factories.row_counts() == before


def test_bulk_entry_keeps_days_entered_the_same_way_and_replaces_the_other_kind(operations_user):
    services.enter_calendar_day(
        day=date(2027, 1, 1), is_working_day=False, note="元旦", source="earlier", now=NOW
    )
    services.enter_calendar_day(
        day=date(2027, 2, 14), is_working_day=False, source="earlier", now=NOW
    )

    result = enter_notice(operations_user)

    assert result.written == 10
    kept = CalendarDay.objects.get(date=date(2027, 1, 1))
    assert (kept.source, kept.created_by) == ("earlier", None)
    replaced = CalendarDay.objects.get(date=date(2027, 2, 14))
    assert (replaced.is_working_day, replaced.source) == (True, SOURCE)
    assert (result.event.data["replaced"], result.event.data["unchanged"]) == (["2027-02-14"], 1)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"source": "  "}, "Say where"),
        ({"days": ()}, "no official days"),
        ({"year": 1999}, "from 2000 to 2100"),
    ],
)
def test_a_refused_bulk_entry_writes_nothing(english, operations_user, change, message):
    before = factories.row_counts()
    arguments = {
        "year": 2027,
        "days": parse_notice(NOTICE).days,
        "source": SOURCE,
        "text": NOTICE,
        "key": "k",
        "actor": operations_user,
        "now": NOW,
    }

    with pytest.raises(services.SettlementError, match=message):
        services.enter_official_days(**{**arguments, **change})

    assert factories.row_counts() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirms_of_the_same_form_at_once_write_the_days_once():
    user = factories.staff_in("Operations", "ops-concurrent")
    start = threading.Barrier(2)
    results, failures = [], []

    def confirm():
        try:
            start.wait()
            results.append(enter_notice(user, key="same-form"))
        except Exception as error:  # reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert sorted(r.replayed for r in results) == [False, True]
    assert CalendarDay.objects.count() == 11
    assert CalendarYearEvent.objects.filter(key="same-form").count() == 1


# --- Admin: bulk entry ------------------------------------------------------------------------

BULK = "admin:settlements_calendarday_bulk"


def preview(client, text: str = NOTICE, year: int = 2027):
    return client.post(
        reverse(BULK), {"year": str(year), "source": SOURCE, "text": text, "preview": "1"}
    )


def confirm(client, page, button: str = "confirm"):
    form = page.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    return client.post(reverse(BULK), {**data, button: "1"}, follow=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_bulk_page_documents_the_syntax_and_suggests_the_first_unknown_year(
    client, english, operations_user
):
    client.force_login(operations_user)

    page = client.get(reverse(BULK))

    assert page.status_code == 200
    assert page.context["form"].initial["year"] == 2027
    text = page.content.decode()
    assert "2027-02-06..2027-02-13 春节 放假" in text and "调休上班" in text


def test_preview_writes_nothing_and_highlights_conflicts(client, english, operations_user):
    services.enter_calendar_day(day=date(2027, 2, 14), is_working_day=False, source="x", now=NOW)
    client.force_login(operations_user)
    before = factories.row_counts()

    page = preview(client, NOTICE + "2026-12-31 元旦 休\n")

    assert page.status_code == 200
    assert factories.row_counts() == before
    rows = {row.day.date: row for row in page.context["rows"]}
    assert len(rows) == 12
    assert rows[date(2027, 2, 14)].replaces_entry and rows[date(2027, 2, 14)].flagged
    dec_31 = rows[date(2026, 12, 31)]
    assert (dec_31.contradicts_library, dec_31.outside_year, dec_31.library) == (
        True,
        True,
        "Working day",
    )
    assert not rows[date(2027, 1, 1)].flagged
    assert page.context["after"] == (9, 2)
    text = page.content.decode()
    assert "⚠ Contradicts the library" in text and "⚠ Replaces the entered day" in text
    assert 'name="confirm"' in text and 'name="confirm_complete"' in text


def test_bad_lines_are_listed_with_their_numbers_and_nothing_can_be_confirmed(
    client, english, operations_user
):
    client.force_login(operations_user)
    before = factories.row_counts()
    text = NOTICE + "2027-02-30 休\n2027-04-05 清明节\n"

    page = preview(client, text)

    assert [(e.line, e.text) for e in page.context["errors"]] == [
        (5, "2027-02-30 休"),
        (6, "2027-04-05 清明节"),
    ]
    content = page.content.decode()
    assert "2 lines could not be read" in content
    assert 'name="confirm"' not in content and 'name="edit"' in content
    forced = confirm(client, page)  # posting confirm anyway still writes nothing
    assert forced.context["errors"] and factories.row_counts() == before


def test_confirm_writes_exactly_the_days_and_a_second_confirm_writes_nothing_more(
    client, english, operations_user, refund_2027
):
    client.force_login(operations_user)
    page = preview(client)

    done = confirm(client, page)

    assert done.redirect_chain[-1][0].endswith("/admin/settlements/calendarday/?year=2027")
    assert dict(CalendarDay.objects.values_list("date", "is_working_day")) == NOTICE_DATES
    assert "Entered 11 official days for 2027." in messages_of(done)
    assert "1 due date was recomputed." in messages_of(done)
    assert due(refund_2027) == (date(2027, 2, 19), True)
    before = factories.row_counts()

    again = confirm(client, page)  # a double click, or Back and submit again

    assert factories.row_counts() == before
    assert year_events() == [("days_entered", "ops")]
    assert "These official days were already entered by ops; nothing changed." in messages_of(again)
    assert len(recomputed(refund_2027)) == 1


def test_confirm_and_mark_complete_makes_the_years_due_dates_final_in_one_step(
    client, english, operations_user, refund_2027
):
    client.force_login(operations_user)

    done = confirm(client, preview(client), button="confirm_complete")

    assert year_events() == [("days_entered", "ops"), ("completed", "ops")]
    assert due(refund_2027) == (date(2027, 2, 19), False)
    assert "2027 is marked complete: its due dates are final." in messages_of(done)


def test_confirming_a_day_that_contradicts_the_library_warns_and_enters_it(
    client, english, operations_user
):
    client.force_login(operations_user)

    done = confirm(client, preview(client, NOTICE + "2026-12-31 元旦 休\n"))

    assert any(
        m.startswith("2026-12-31 contradicts the official calendar library")
        for m in messages_of(done)
    )
    assert not CalendarDay.objects.get(date=date(2026, 12, 31)).is_working_day


def test_edit_brings_the_pasted_text_back_to_the_form(client, operations_user):
    client.force_login(operations_user)
    page = preview(client)
    form = page.context["confirm_form"]

    edit = client.post(reverse(BULK), {**{n: form[n].value() for n in form.fields}, "edit": "1"})

    assert edit.context["form"]["text"].value() == NOTICE.strip()
    assert not edit.context.get("previewing")


def test_finance_may_enter_a_year_but_staff_without_the_permission_may_not(client, finance_user):
    client.force_login(finance_user)
    assert client.get(reverse(BULK)).status_code == 200
    page = preview(client)
    clerk = factories.StaffUserFactory(username="clerk")
    client.force_login(clerk)
    before = factories.row_counts()

    assert client.get(reverse(BULK)).status_code == 403
    assert preview(client).status_code == 403
    form = page.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields}
    assert client.post(reverse(BULK), {**data, "confirm": "1"}).status_code == 403
    assert factories.row_counts() == before


# --- Admin: marking a year complete, reopening it ---------------------------------------------


def year_page(step: str, year: int = 2027) -> str:
    return reverse(f"admin:settlements_calendaryear_{step}", args=[year])


def test_the_mark_complete_page_shows_the_days_then_audits_the_operators_confirmation(
    client, english, operations_user, refund_2027
):
    enter_notice(operations_user)
    client.force_login(operations_user)

    page = client.get(year_page("complete"))

    assert page.status_code == 200
    assert "9 official holidays, 2 make-up working days" in page.content.decode()
    assert len(page.context["days"]) == 11
    assert due(refund_2027)[1] is True

    done = client.post(year_page("complete"), {"note": "checked"}, follow=True)

    assert "2027 is marked complete: its due dates are final." in messages_of(done)
    assert due(refund_2027) == (date(2027, 2, 19), False)
    event = CalendarYearEvent.objects.get(type="completed")
    assert (event.actor, event.data) == (
        operations_user,
        {"holidays": 9, "working_days": 2, "note": "checked"},
    )


def test_reopening_from_the_admin_needs_a_reason(client, english, operations_user, refund_2027):
    enter_notice(operations_user, complete=True)
    client.force_login(operations_user)

    refused = client.post(year_page("reopen"), {"reason": ""})
    assert refused.status_code == 200 and refused.context["form"].errors
    done = client.post(year_page("reopen"), {"reason": "清明节漏录"}, follow=True)

    assert "2027 is reopened: its due dates are provisional again." in messages_of(done)
    assert due(refund_2027) == (date(2027, 2, 19), True)
    assert CalendarYearEvent.objects.order_by("id").last().type == "reopened"


def test_a_library_year_shows_why_it_needs_no_marking_and_posting_writes_nothing(
    client, english, operations_user
):
    client.force_login(operations_user)
    before = factories.row_counts()

    page = client.get(year_page("complete", 2026))
    posted = client.post(year_page("complete", 2026), {"note": ""})

    assert "already has 2026" in page.content.decode()
    assert "Yes, every official day of 2026" not in page.content.decode()  # no button
    assert "already has 2026" in " ".join(posted.context["form"].non_field_errors())
    assert factories.row_counts() == before


def test_staff_without_the_calendar_permission_cannot_mark_or_reopen(client, operations_user):
    enter_notice(operations_user)
    client.force_login(factories.StaffUserFactory(username="clerk"))

    assert client.get(year_page("complete")).status_code == 403
    assert client.post(year_page("complete"), {"note": ""}).status_code == 403
    assert client.post(year_page("reopen"), {"reason": "x"}).status_code == 403
    assert not CalendarYear.objects.get(year=2027).is_complete


def test_the_year_list_and_page_show_status_counts_and_the_audit_trail(
    client, english, operations_user
):
    enter_notice(operations_user, complete=True)
    client.force_login(operations_user)

    listing = client.get(reverse("admin:settlements_calendaryear_changelist"))
    year = CalendarYear.objects.get(year=2027)
    page = client.get(reverse("admin:settlements_calendaryear_change", args=[year.pk]))

    assert (
        listing.status_code == 200 and "Complete: due dates are final" in listing.content.decode()
    )
    text = page.content.decode()
    assert "9 official holidays, 2 make-up working days; source: " + SOURCE in text
    assert "marked complete with 9 official holidays, 2 make-up working days" in text
    assert "2027年2月6日至13日 春节 放假" in text  # the pasted text, kept in the audit


# --- Admin: the calendar list and single entries ------------------------------------------------


def headings(response) -> list[str]:
    return [str(h["text"]) for h in result_headers(response.context["cl"]) if h["text"]]


def calendar_list(client, user, *days: tuple[date, bool], query: str = ""):
    """The calendar days' changelist (``query`` appended) seen by ``user``, ``days`` entered."""
    for day, working in days:
        services.enter_calendar_day(day=day, is_working_day=working, source="x", now=NOW)
    client.force_login(user)
    return client.get(reverse("admin:settlements_calendarday_changelist") + query)


def test_the_calendar_list_heads_distinct_columns_in_chinese(client, operations_user):
    names = headings(calendar_list(client, operations_user, (date(2027, 1, 1), False)))

    assert len(names) == len(set(names)), names
    assert names[:5] == ["日期", "星期", "类型", "日历库", "与日历库不符"]


def test_the_calendar_list_shows_weekday_kind_library_and_flags_contradictions(
    client, english, operations_user
):
    page = calendar_list(
        client,
        operations_user,
        (date(2026, 10, 1), True),
        (date(2026, 10, 2), False),
        (date(2027, 2, 14), True),
    )

    text = page.content.decode()
    assert text.count("⚠ Contradicts the library") == 1
    assert "Thursday" in text and "Not in the library" in text and "Make-up working day" in text
    assert "Enter a year&#x27;s official days" in text or "Enter a year's official days" in text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?year=2027", {date(2027, 1, 1), date(2027, 2, 14)}),
        ("?kind=working", {date(2026, 10, 1), date(2027, 2, 14)}),
        ("?year=2027&kind=holiday", {date(2027, 1, 1)}),
    ],
)
def test_the_calendar_list_filters_by_year_and_kind(client, operations_user, query, expected):
    days = ((date(2026, 10, 1), True), (date(2027, 1, 1), False), (date(2027, 2, 14), True))
    page = calendar_list(client, operations_user, *days, query=query)

    assert {d.date for d in page.context["cl"].result_list} == expected


def test_entering_a_day_that_contradicts_the_library_warns_and_still_wins(
    client, english, operations_user
):
    client.force_login(operations_user)

    done = client.post(
        reverse("admin:settlements_calendarday_add"),
        {"date": "2026-10-01", "is_working_day": "on", "note": "", "source": "test"},
        follow=True,
    )

    warning = (
        "2026-10-01 contradicts the official calendar library: the library says “Day off”, the "
        "entry says “Make-up working day”. The entry wins: check it against the State Council "
        "notice."
    )
    assert warning in messages_of(done)
    assert CalendarDay.objects.get(date=date(2026, 10, 1)).is_working_day
    quiet = client.post(
        reverse("admin:settlements_calendarday_add"),
        {"date": "2026-10-02", "note": "", "source": "test"},
        follow=True,
    )
    assert not any("contradicts" in m for m in messages_of(quiet))


def test_the_calendar_list_shows_which_years_are_complete(client, english, operations_user):
    enter_notice(operations_user)
    client.force_login(operations_user)

    page = client.get(reverse("admin:settlements_calendarday_changelist"))

    (year,) = page.context["calendar_years"]
    assert (year["year"], year["holidays"], year["working_days"], year["complete"]) == (
        2027,
        9,
        2,
        False,
    )
    assert year_page("complete") in page.content.decode()
