"""Pagination: the total from the page's own query (the window) or from a COUNT of its own."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from netapp.blueprints.registry.models import Person, Workplace
from netapp.pagination import paginate


@pytest.mark.parametrize("page", [1, 2, 99])
def test_counting_apart_gives_the_same_page_and_total_as_the_window(app, demo, page):
    rows = (select(Person.id, Person.last_name, Workplace.name.label("workplace_name"))
            .outerjoin(Workplace, Person.workplace_id == Workplace.id).order_by(Person.last_name, Person.id))
    entities = select(Person).order_by(Person.last_name, Person.id)
    for query, key in ((rows, lambda row: tuple(row)[:3]), (entities, lambda person: person.id)):
        with app.test_request_context(f"/?page={page}"):
            windowed = paginate(query, per_page=20)
            apart = paginate(query, per_page=20, count_separately=True)
            assert apart.total == windowed.total > 20
            assert apart.pages == windowed.pages
            assert [key(item) for item in apart.items] == [key(item) for item in windowed.items]
            assert bool(apart.items) == (page <= windowed.pages)
