"""SQL pagination with a page number taken from the query string."""

from flask import request

from netapp.extensions import db


def paginate(query, per_page: int = 50):
    """Paginate in SQL: one COUNT and one page of rows, whatever the table size."""
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 100000 else 1
    return db.paginate(query, page=page, per_page=per_page, error_out=False, count=True)
