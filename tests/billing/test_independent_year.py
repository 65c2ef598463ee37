"""Independent, hand-computed: one household's 2026 through the public services and
selectors (charges, irregular payments, a designation, corrections, an opening balance in
arrears), then balance, aged debt at the bucket boundaries, turnover and the calendar.

Each month: maintenance 250,00 + repair fund 80,00 + waste 45,50 = 375,50, booked on the
1st, due on the 10th. Extra: water 120,00 due Sun 03.05 (→ 04.05), water 90,00 due
11.11 (→ 12.11), heating 200,00 due 24.12 (→ Mon 28.12: 24–26 holidays, 27 Sunday).

Allocation by hand, in the order things happen:
- 31.12.2025 opening 300,00 (arrears) due 31.12.2025
- 12.01 P1 675,50 = opening 300 + Jan 375,50 (due Sat 10.01 → Mon 12.01): all paid
- 10.02 P2 300,00 (short): FebM 250, FebR 50 → open FebR 30, FebW 45,50
- 05.03 P3 250,00 designated "eksploatacja 03/2026" → MarM 250 although Feb is older
- 25.04 P4 626,00 (late): FebR 30 + FebW 45,50 + MarR 80 + MarW 45,50 = 201,00;
  Apr 375,50 → 576,50; 49,50 kept as credit
- 01.05 MayM posted → 49,50 carried to it (outstanding 200,50); water 120 posted
- 11.05 P5 751,00 (double): water 120 (due 04.05) + MayM 200,50 + MayR 80 + MayW 45,50
  = 446,00; 305,00 kept
- 01.06 JunM posted → 250 carried; JunR posted → 55 carried (open 25); JunW open 45,50
- 05.08 correction AprW −10,00 (already paid): 10,00 of P4 released, carried to the
  oldest open debt JunR → open 15,00
- 15.09 correction SepM −50,00 (unpaid) → SepM counts 200,00
- 20.10 P6 1 000,00: JunR 15 + JunW 45,50 + Jul 375,50 + Aug 375,50 = 811,50; SepM 188,50
  of 200 → open SepM 11,50, SepR 80, SepW 45,50, Oct 375,50 (due Sat 10.10 → 12.10)
- Nov 375,50 (10.11) + water 90 (→ 12.11); Dec 375,50 (10.12) + heating 200 (→ 28.12)
Debits: 300 + 12 × 375,50 + 120 + 90 + 200 − 10 − 50 = 5 156,00
Credits: 675,50 + 300 + 250 + 626 + 751 + 1 000 = 3 602,50; balance −1 553,50
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from operations.billing import selectors, services
from operations.billing.models import Allocation, LedgerEntry
from tests.factories.residents import UnitFactory

D = Decimal
K = LedgerEntry.Kind
C = LedgerEntry.Component
P = "independent-test"
MONTHLY = [(C.MAINTENANCE, D("250.00")), (C.REPAIR_FUND, D("80.00")), (C.WASTE, D("45.50"))]


def charge(account, component, amount, booked, due, period=None, title=""):
    return services.entry_post(
        account=account,
        kind=K.CHARGE,
        component=component,
        amount=amount,
        booking_date=booked,
        due_date=due,
        period=period,
        title=title,
        process=P,
    )


def pay(account, amount, booked, designated=(), title=""):
    return services.payment_record(
        account=account, amount=amount, booking_date=booked, designated=designated, title=title, process=P
    )


def outstanding(entry) -> Decimal:
    row = selectors.debts_outstanding(LedgerEntry.objects.filter(pk=entry.pk)).get()
    return D(row.outstanding_grosze) / 100


def aged(account, day):
    a = selectors.account_aged_debt(account, as_of=day)
    return tuple(str(x) for x in (a.not_due, a.days_1_30, a.days_31_60, a.days_61_90, a.over_90))


@pytest.fixture
def year(db, building_a):
    unit = UnitFactory(building=building_a, number="12")
    account = services.account_open(unit=unit, payer_name="Anna Nowak", opened_on=date(2025, 12, 31))
    e = {}
    e["opening"] = services.entry_post(
        account=account,
        kind=K.OPENING,
        amount="300,00",
        booking_date=date(2025, 12, 31),
        due_date=date(2025, 12, 31),
        process=P,
    )
    payments = {
        date(2026, 1, 12): ("675,50", "jan"),
        date(2026, 2, 10): ("300,00", "feb"),
        date(2026, 3, 5): ("250,00", "mar"),
        date(2026, 4, 25): ("626,00", "apr"),
        date(2026, 5, 11): ("751,00", "may"),
        date(2026, 10, 20): ("1000,00", "oct"),
    }
    for month in range(1, 13):
        first = date(2026, month, 1)
        for component, amount in MONTHLY:
            e[(month, component)] = charge(account, component, amount, first, date(2026, month, 10))
        if month == 5:
            e["water1"] = charge(account, C.COLD_WATER, D("120.00"), first, date(2026, 5, 3))
        if month == 11:
            e["water2"] = charge(account, C.COLD_WATER, D("90.00"), first, date(2026, 11, 11))
        if month == 12:
            e["heating"] = charge(account, C.HEATING, D("200.00"), first, date(2026, 12, 24))
        for day, (amount, name) in sorted(payments.items()):
            if day.month != month:
                continue
            designated = [e[(3, C.MAINTENANCE)]] if name == "mar" else ()
            title = "eksploatacja 03/2026" if name == "mar" else f"opłaty {name}"
            e["pay_" + name] = pay(account, amount, day, designated, title)
        if month == 8:
            e["corr_apr_w"] = services.entry_post(
                account=account,
                kind=K.CORRECTION,
                amount="-10,00",
                booking_date=date(2026, 8, 5),
                corrects=e[(4, C.WASTE)],
                process=P,
            )
        if month == 9:
            e["corr_sep_m"] = services.entry_post(
                account=account,
                kind=K.CORRECTION,
                amount="-50,00",
                booking_date=date(2026, 9, 15),
                corrects=e[(9, C.MAINTENANCE)],
                process=P,
            )
    return account, e


def test_due_dates_move_past_weekends_and_holidays(year):
    _account, e = year
    moved = {
        1: date(2026, 1, 12),  # Sat → Mon
        5: date(2026, 5, 11),  # Sun → Mon
        10: date(2026, 10, 12),  # Sat → Mon
        2: date(2026, 2, 10),
        12: date(2026, 12, 10),
    }
    for month, pay_by in moved.items():
        assert e[(month, C.MAINTENANCE)].effective_due_date == pay_by
        assert e[(month, C.MAINTENANCE)].due_date == date(2026, month, 10)
    assert e["water1"].effective_due_date == date(2026, 5, 4)
    assert e["water2"].effective_due_date == date(2026, 11, 12)
    assert e["heating"].effective_due_date == date(2026, 12, 28)


def test_balance_at_the_end_of_the_year(year):
    account, _e = year
    b = selectors.account_balance(account)
    assert (b.debits, b.credits, b.balance, b.owed) == (D("5156.00"), D("3602.50"), D("-1553.50"), D("1553.50"))


def test_balance_as_of_before_the_late_payment(year):
    # up to 24.04: debits 300 + 4 × 375,50 = 1 802,00; credits 675,50 + 300 + 250 = 1 225,50
    account, _e = year
    b = selectors.account_balance(account, as_of=date(2026, 4, 24))
    assert (b.debits, b.credits, b.balance) == (D("1802.00"), D("1225.50"), D("-576.50"))


def test_what_is_left_of_each_debt(year):
    _account, e = year
    expected = {
        e["opening"]: "0.00",
        e[(1, C.WASTE)]: "0.00",
        e[(2, C.MAINTENANCE)]: "0.00",
        e[(2, C.REPAIR_FUND)]: "0.00",
        e[(3, C.MAINTENANCE)]: "0.00",
        e[(4, C.WASTE)]: "0.00",  # 35,50 after the correction, paid by P4
        e[(5, C.MAINTENANCE)]: "0.00",
        e["water1"]: "0.00",
        e[(6, C.REPAIR_FUND)]: "0.00",
        e[(8, C.WASTE)]: "0.00",
        e[(9, C.MAINTENANCE)]: "11.50",  # 250 − 50 − 188,50
        e[(9, C.REPAIR_FUND)]: "80.00",
        e[(9, C.WASTE)]: "45.50",
        e[(10, C.MAINTENANCE)]: "250.00",
        e["water2"]: "90.00",
        e["heating"]: "200.00",
    }
    for entry, left in expected.items():
        assert outstanding(entry) == D(left), (entry.kind, entry.component, entry.period)


def test_designation_binds_to_the_younger_debt(year):
    _account, e = year
    rows = list(Allocation.objects.filter(credit=e["pay_mar"]).values_list("debt_id", "amount", "reason"))
    assert rows == [(e[(3, C.MAINTENANCE)].pk, D("250.00"), Allocation.Reason.DESIGNATED)]


def test_short_payment_goes_to_the_oldest_first_in_posting_order(year):
    _account, e = year
    rows = sorted(Allocation.objects.filter(credit=e["pay_feb"]).values_list("debt_id", "amount"))
    assert rows == sorted([(e[(2, C.MAINTENANCE)].pk, D("250.00")), (e[(2, C.REPAIR_FUND)].pk, D("50.00"))])


def test_overpayment_kept_then_carried_to_the_next_charge(year):
    _account, e = year
    apr = e["pay_apr"]
    net_kept = sum(Allocation.objects.filter(credit=apr, debt__isnull=True).values_list("amount", flat=True))
    # 49,50 kept on 25.04, carried to MayM on 01.05, then 10,00 released by the correction
    # and carried to JunR: nothing is kept in the end
    assert net_kept == D("0.00")
    to_may = sum(Allocation.objects.filter(credit=apr, debt=e[(5, C.MAINTENANCE)]).values_list("amount", flat=True))
    assert to_may == D("49.50")
    to_jun_r = sum(Allocation.objects.filter(credit=apr, debt=e[(6, C.REPAIR_FUND)]).values_list("amount", flat=True))
    assert to_jun_r == D("10.00")
    to_apr_w = sum(Allocation.objects.filter(credit=apr, debt=e[(4, C.WASTE)]).values_list("amount", flat=True))
    assert to_apr_w == D("35.50")
    may = e["pay_may"]
    to_jun = {
        comp: sum(Allocation.objects.filter(credit=may, debt=e[(6, comp)]).values_list("amount", flat=True))
        for comp in (C.MAINTENANCE, C.REPAIR_FUND, C.WASTE)
    }
    assert to_jun == {C.MAINTENANCE: D("250.00"), C.REPAIR_FUND: D("55.00"), C.WASTE: 0}


def test_every_grosz_of_every_payment_is_accounted_for(year):
    account, _e = year
    for payment in LedgerEntry.objects.filter(account=account, kind=K.PAYMENT):
        allocated = sum(Allocation.objects.filter(credit=payment).values_list("amount", flat=True))
        assert allocated == -payment.amount
    assert selectors.kept_credits(account) == []


def test_aged_debt_at_year_end(year):
    # Sep (10.09) 112 days: 137,00 > 90; Oct (12.10) 80 days: 375,50 in 61–90;
    # Nov 10.11 (51) + water 12.11 (49): 465,50 in 31–60; Dec 10.12 (21) + heating 28.12 (3): 575,50
    account, _e = year
    assert aged(account, date(2026, 12, 31)) == ("0.00", "575.50", "465.50", "375.50", "137.00")
    a = selectors.account_aged_debt(account, as_of=date(2026, 12, 31))
    assert a.overdue == D("1553.50") and a.total == D("1553.50")


def test_aged_debt_at_the_30_31_boundary(year):
    account, _e = year
    # 11.11: Oct is 30 days past 12.10 (1–30), Nov 1 day (1–30), water 12.11 not due,
    #        Sep 62 days (61–90): 137,00
    assert aged(account, date(2026, 11, 11)) == ("90.00", "751.00", "0.00", "137.00", "0.00")
    # 12.11: Oct 31 days (31–60), Nov 2 days, water payable today (not due), Sep 63
    assert aged(account, date(2026, 11, 12)) == ("90.00", "375.50", "375.50", "137.00", "0.00")


def test_aged_debt_at_the_60_61_boundary(year):
    account, _e = year
    # 11.12: Oct 60 days (31–60), Nov 31 (31–60), water 29 + Dec 1 (1–30), heating not due, Sep 92
    assert aged(account, date(2026, 12, 11)) == ("200.00", "465.50", "751.00", "0.00", "137.00")
    # 12.12: Oct 61 days (61–90), Nov 32, water 30 + Dec 2 (1–30)
    assert aged(account, date(2026, 12, 12)) == ("200.00", "465.50", "375.50", "375.50", "137.00")


def test_aged_debt_at_the_90_91_boundary(year):
    account, _e = year
    # 09.12: Sep 90 days (61–90), Oct 58, Nov 29 + water 27 (1–30), Dec + heating not due
    assert aged(account, date(2026, 12, 9)) == ("575.50", "465.50", "375.50", "137.00", "0.00")
    # 10.12: Sep 91 days (> 90), Nov 30, Dec payable today (not due)
    assert aged(account, date(2026, 12, 10)) == ("575.50", "465.50", "375.50", "0.00", "137.00")


def test_aged_debt_in_the_past_before_the_late_payment(year):
    # 24.04: Feb 30 + 45,50 (73 days, 61–90), Mar 80 + 45,50 (45 days), Apr 375,50 (14 days)
    account, _e = year
    assert aged(account, date(2026, 4, 24)) == ("0.00", "375.50", "125.50", "75.50", "0.00")


def test_turnover_per_month(year):
    account, _e = year
    opening, rows, closing = selectors.account_turnover(account, start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert (opening.debits, opening.credits) == (D("300.00"), D("0.00"))
    got = [(r.period.month, str(r.debits), str(r.credits)) for r in rows]
    assert got == [
        (1, "375.50", "675.50"),
        (2, "375.50", "300.00"),
        (3, "375.50", "250.00"),
        (4, "375.50", "626.00"),
        (5, "495.50", "751.00"),  # + water 120
        (6, "375.50", "0.00"),
        (7, "375.50", "0.00"),
        (8, "365.50", "0.00"),  # − correction 10 on the debit side
        (9, "325.50", "0.00"),  # − correction 50
        (10, "375.50", "1000.00"),
        (11, "465.50", "0.00"),  # + water 90
        (12, "575.50", "0.00"),  # + heating 200
    ]
    assert (closing.debits, closing.credits, closing.balance) == (D("5156.00"), D("3602.50"), D("-1553.50"))


def test_turnover_of_one_quarter(year):
    account, _e = year
    opening, rows, closing = selectors.account_turnover(account, start=date(2026, 4, 1), end=date(2026, 6, 30))
    # before April: debits 300 + 3 × 375,50 = 1 426,50; credits 675,50 + 300 + 250 = 1 225,50
    assert (opening.debits, opening.credits) == (D("1426.50"), D("1225.50"))
    assert [r.period for r in rows] == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert (closing.debits, closing.credits) == (D("2673.00"), D("2602.50"))


def test_payment_calendar(year):
    account, _e = year
    days = selectors.payment_calendar(account, today=date(2026, 11, 1))
    got = [(d.due_date, d.pay_by, d.amount, d.moved) for d in days]
    assert got == [
        (date(2026, 11, 10), date(2026, 11, 10), D("375.50"), False),
        (date(2026, 11, 11), date(2026, 11, 12), D("90.00"), True),
        (date(2026, 12, 10), date(2026, 12, 10), D("375.50"), False),
        (date(2026, 12, 24), date(2026, 12, 28), D("200.00"), True),
    ]


def test_importing_the_same_charge_twice_posts_once(year):
    account, e = year
    before = LedgerEntry.objects.filter(account=account).count()
    kwargs = dict(
        account=account,
        kind=K.CHARGE,
        component=C.OTHER,
        amount="12,34",
        booking_date=date(2026, 12, 1),
        due_date=date(2026, 12, 10),
        source="fk",
        source_reference="row-17",
        process=P,
    )
    first = services.entry_post(**kwargs)
    again = services.entry_post(**kwargs)
    assert first.pk == again.pk
    assert LedgerEntry.objects.filter(account=account).count() == before + 1
