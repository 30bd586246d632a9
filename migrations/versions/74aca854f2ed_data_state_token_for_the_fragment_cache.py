"""data state token for the fragment cache

Revision ID: 74aca854f2ed
Revises: c46de38fbf10
Create Date: 2026-11-29 17:26:44.282919

"""
import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '74aca854f2ed'
down_revision = 'c46de38fbf10'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table('data_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_data_state'))
    )
    # The one row whose token every change renews (see netapp/cache.py).
    op.bulk_insert(table, [{"id": 1, "token": secrets.token_hex(16)}])


def downgrade():
    op.drop_table('data_state')
