"""The bar chart helper: rows with shares, drawn as a table with a decorative bar per row."""

from flask import render_template_string

from netapp.charts import Bar, bars, percent


def test_shares_are_of_the_whole_given_or_of_the_sum():
    assert bars([("Ja", 3), ("Nei", 2)]) == [Bar("Ja", 3, 60), Bar("Nei", 2, 40)]
    assert bars([("A", 1), ("B", 1)], whole=4) == [Bar("A", 1, 25), Bar("B", 1, 25)]
    assert bars([("Ingen", 0)]) == [Bar("Ingen", 0, 0)]
    assert percent(1, 3) == 33 and percent(2, 3) == 67 and percent(5, 0) == 0


def test_the_table_is_the_chart_and_the_bars_are_hidden_from_assistive_technology(app):
    with app.test_request_context():
        html = render_template_string(
            '{% from "_macros/charts.html" import bar_table %}{{ bar_table(rows, "Fordeling", "Kommune") }}',
            rows=bars([("Sola", 3), ("Hå <b>", 1)]))
    assert '<caption class="visually-hidden">Fordeling</caption>' in html
    assert '<th scope="col">Kommune</th>' in html
    assert '<th scope="row">Sola</th><td class="text-end">3</td><td class="text-end">75 %</td>' in html
    assert "Hå &lt;b&gt;" in html  # labels are escaped
    assert html.count('<svg aria-hidden="true" focusable="false"') == 2
    assert 'width="75"' in html and 'width="25"' in html
