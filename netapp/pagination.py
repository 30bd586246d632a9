"""SQL pagination with a page number taken from the query string.

The page of rows and the total come from one query: the total is a window function,
`count(*) OVER ()`, evaluated before LIMIT. A separate COUNT runs only when the page asked for
lies past the end (no rows to carry the total), when the select is DISTINCT, or when the list
asks for it (`count_separately`): the window makes the database join every matching row to
what the page shows of it, where a COUNT of the same select leaves the unused outer joins out
and the page's query stops at LIMIT. That pays off when a list joins much and filters cheaply.
"""

from flask import request
from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import func

from netapp.extensions import db
from netapp.validators import parse_int

TOTAL_LABEL = "pagination_total"


class WindowPagination(SelectPagination):
    """Flask-SQLAlchemy's pagination, with the total counted in the page's own query.

    A select of one ORM entity gives the entities as items; a select of columns gives rows
    (attribute access by label), as the page's template needs them."""

    def _query_items(self) -> list:
        select = self._query_args["select"]
        session = self._query_args["session"]
        self._total = None
        if select._distinct:
            return SelectPagination._query_items(self)
        columns = select.column_descriptions
        single_entity = len(columns) == 1 and columns[0]["entity"] is not None and columns[0]["type"] is columns[0]["entity"]
        windowed = not self._query_args.get("count_separately")
        if windowed:
            select = select.add_columns(func.count().over().label(TOTAL_LABEL))
        result = session.execute(select.limit(self.per_page).offset(self._query_offset))
        rows = result.unique().all() if single_entity else result.all()
        if windowed and rows:
            self._total = rows[0][-1]
        elif self.page == 1 and not rows:
            self._total = 0
        if single_entity:
            return [row[0] for row in rows]
        return rows

    def _query_count(self) -> int:
        if self._total is not None:
            return self._total
        return super()._query_count()


def page_number() -> int:
    """The page asked for (?page=), or the first page for anything but 1 to 99999 in ASCII digits."""
    return parse_int(request.args.get("page", ""), 1, 99999) or 1


def filter_args() -> dict[str, str]:
    """The query string's non-empty arguments but the page number: what the links to a list's
    other pages carry along, and what tells the page that it is filtered."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


def paginate(query, per_page: int = 50, count_separately: bool = False):
    """Paginate in SQL: one query for a page of rows and the total, whatever the table size (two
    with `count_separately`, see the module's docstring)."""
    return WindowPagination(
        select=query, session=db.session(), page=page_number(), per_page=per_page, max_per_page=None,
        error_out=False, count=True, count_separately=count_separately,
    )
