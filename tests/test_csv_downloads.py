"""Every CSV download names its charset once (a repeated parameter makes some clients refuse it)."""

from __future__ import annotations

from netapp.extensions import db
from tests import factories

CSV = "text/csv; charset=utf-8"


def test_every_csv_download_sends_one_charset(client, login, world):
    event = world.event(days=-3)
    factories.make_event_registration(event, world.rp, attended=True)
    q = factories.make_questionnaire(world.network, status="closed")
    for _n in range(5):
        factories.make_response(q, {})
    db.session.commit()
    login(world.coordinator_email)
    for url in ("/registry/export?format=csv", "/registry/import/template?format=csv",
                f"/events/{event.id}/participants.csv", f"/evaluations/{q.id}/results.csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Content-Type"] == CSV, url
    login("rp@test.example")
    response = client.get("/me/data.csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == CSV
