"""version numbers of edited documents

Persons, workplaces, events and questionnaires carry a version number, raised by every change
and checked when an edit form is saved (netapp/versioning.py). Existing rows start at 1.

Revision ID: b7d4e2a9c1f3
Revises: c5e1a7d3f9b2
Create Date: 2026-12-01 19:50:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7d4e2a9c1f3'
down_revision = 'c5e1a7d3f9b2'
branch_labels = None
depends_on = None

TABLES = ('person', 'workplace', 'event', 'questionnaire')


def upgrade():
    # Plain ALTER TABLE ... ADD COLUMN, not batch mode: on SQLite a batch recreates the table, and
    # dropping the old one would cascade to the rows that refer to it.
    for table in TABLES:
        op.add_column(table, sa.Column('version', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} DROP COLUMN version')
