"""Row counts of every table, to prove that a refused action wrote nothing."""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.db import connection
from django.db.models import Model


def row_counts(*more: type[Model]) -> dict[str, int]:
    """Rows in every table of the apps that hold data (integrations included) and of ``more``.

    One query for all of them: the permission matrix takes these counts around every one of its
    hundreds of refused posts, and a query per table made that most of the suite's time.
    """
    models = {
        model._meta.label: model
        for model in [
            *(
                model
                for app in ("orders", "settlements", "integrations")
                for model in apps.get_app_config(app).get_models()
            ),
            *more,
        ]
    }
    sql, params = _counting(tuple(models.values()))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(zip(models, cursor.fetchone(), strict=True))


@cache
def _counting(models: tuple[type[Model], ...]) -> tuple[str, tuple]:
    """The one query counting each model's rows, through its default manager."""
    selects, params = [], []
    for n, model in enumerate(models):
        sql, values = model._default_manager.order_by().values("pk").query.sql_with_params()
        selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS rows_{n})")
        params.extend(values)
    return "SELECT " + ", ".join(selects), tuple(params)
