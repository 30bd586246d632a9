"""The benchmark's baseline: a minimal Flask + SQLAlchemy page listing 56 rows through a template.

    BASELINE_DATABASE=/tmp/baseline.sqlite3 gunicorn --chdir tests/perf minimal_app:app

Served by the same gunicorn settings as netapp in the same run, it shows what this machine
does for a page with one query and one template and nothing else; netapp's pages are measured
against it. The table is created and filled (56 resource persons, as in the demo network) on
first start.
"""

from __future__ import annotations

import os

from flask import Flask, render_template
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import String, func, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


db = SQLAlchemy(model_class=Base)


class Item(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    profession: Mapped[str] = mapped_column(String(100))
    workplace: Mapped[str] = mapped_column(String(200))


def create_app() -> Flask:
    app = Flask(__name__)
    path = os.environ.get("BASELINE_DATABASE", os.path.join(app.instance_path, "baseline.sqlite3"))
    app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{os.path.abspath(path)}"
    db.init_app(app)
    with app.app_context():
        db.create_all()
        if not db.session.scalar(select(func.count(Item.id))):
            db.session.add_all(
                Item(name=f"Person {n}", profession=("Sykepleier", "Vernepleier", "Pedagog")[n % 3],
                     workplace=f"Arbeidssted {n % 14}")
                for n in range(1, 57)
            )
            db.session.commit()

    @app.route("/")
    def index():
        items = db.session.scalars(select(Item).order_by(Item.name)).all()
        return render_template("minimal.html", items=items)

    return app


app = create_app()
