"""Plans share their dates: at national scale a new date object per planned milestone was
three per plan fact in every state that holds it."""

from __future__ import annotations

from datetime import date

from services.rapportage.domain import planfeiten


def test_plans_with_the_same_dates_share_the_date_objects() -> None:
    data = {"onderzoek_gereed": "2012-01-01", "start_sanering": "2013-02-03", "afgehandeld": None}
    een = planfeiten.uit_feit(dict(data), date(2011, 5, 1))
    twee = planfeiten.uit_feit(dict(data), date(2011, 6, 1))
    assert een[:3] == (date(2012, 1, 1), date(2013, 2, 3), None)
    assert een[0] is twee[0] and een[1] is twee[1]
