"""event attendance closed

A coordinator closes an event's attendance list once it has started; the time it was closed is
kept (NULL: still open).

Revision ID: a1c3e5f7b9d2
Revises: 5f5e9e140329
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = '5f5e9e140329'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ALTER TABLE ... ADD COLUMN, not batch mode: on SQLite a batch recreates the table,
    # and dropping the old one would cascade to the registrations that refer to it.
    op.add_column('event', sa.Column('attendance_closed_at', sa.DateTime(), nullable=True))


def downgrade():
    op.execute('ALTER TABLE event DROP COLUMN attendance_closed_at')
