"""workplace leader foreign key on databases other than SQLite

The initial revision declared workplace.leader_id -> person with use_alter, which Alembic
leaves out of create_table; SQLite got it inline, other databases need it added here.

Revision ID: 7c1d2e3f4a5b
Revises: 55e88900d12c
Create Date: 2026-11-23 19:05:00

"""
from alembic import op

revision = '7c1d2e3f4a5b'
down_revision = '55e88900d12c'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.create_foreign_key(op.f('fk_workplace_leader_id_person'), 'workplace', 'person', ['leader_id'], ['id'])


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_workplace_leader_id_person'), 'workplace', type_='foreignkey')
