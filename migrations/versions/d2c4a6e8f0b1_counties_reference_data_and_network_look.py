"""counties, reference data revisions, where organisations are, a network's look, iCal sequence

Adds the county table and the revision of each reference data set; a municipality's county and
end date; the municipality an organisation that is not one is in; a network's logo and colour;
and the SEQUENCE of an event's iCalendar entry. The municipalities themselves are loaded by
``flask --app wsgi reference load`` (netapp/blueprints/registry/reference.py), which links the
municipalities already present to their county by number, so regions, coverage and imports keep
the same rows.

Revision ID: d2c4a6e8f0b1
Revises: b7d4e2a9c1f3
Create Date: 2026-12-01 23:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd2c4a6e8f0b1'
down_revision = 'b7d4e2a9c1f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'county',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('number', sa.String(length=2), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('valid_to', sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_county')),
        sa.UniqueConstraint('number', name=op.f('uq_county_number')),
    )
    op.create_table(
        'reference_revision',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('revision', sa.String(length=40), nullable=False),
        sa.Column('loaded_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_reference_revision')),
    )
    # Plain ALTER TABLE ... ADD COLUMN, not batch mode: on SQLite a batch recreates the table, and
    # dropping the old one would cascade to the rows that refer to it.
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite adds a column with its reference inline, and cannot add a constraint later.
        op.execute('ALTER TABLE organisation ADD COLUMN county_id INTEGER REFERENCES county (id)')
        op.execute('ALTER TABLE organisation ADD COLUMN municipality_id INTEGER REFERENCES organisation (id)')
    else:
        op.add_column('organisation', sa.Column('county_id', sa.Integer(), nullable=True))
        op.add_column('organisation', sa.Column('municipality_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_organisation_county_id_county'), 'organisation', 'county',
                              ['county_id'], ['id'])
        op.create_foreign_key(op.f('fk_organisation_municipality_id_organisation'), 'organisation',
                              'organisation', ['municipality_id'], ['id'])
    op.add_column('organisation', sa.Column('valid_to', sa.Date(), nullable=True))
    op.create_index(op.f('ix_organisation_county_id'), 'organisation', ['county_id'], unique=False)
    op.create_index(op.f('ix_organisation_municipality_id'), 'organisation', ['municipality_id'], unique=False)
    op.add_column('network', sa.Column('logo', sa.LargeBinary(), nullable=True))
    op.add_column('network', sa.Column('logo_type', sa.String(length=40), nullable=True))
    op.add_column('network', sa.Column('logo_hash', sa.String(length=16), nullable=True))
    op.add_column('network', sa.Column('colour', sa.String(length=7), nullable=True))
    op.add_column('event', sa.Column('ics_sequence', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    op.execute('ALTER TABLE event DROP COLUMN ics_sequence')
    for column in ('colour', 'logo_hash', 'logo_type', 'logo'):
        op.execute(f'ALTER TABLE network DROP COLUMN {column}')
    op.drop_index(op.f('ix_organisation_municipality_id'), table_name='organisation')
    op.drop_index(op.f('ix_organisation_county_id'), table_name='organisation')
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint(op.f('fk_organisation_municipality_id_organisation'), 'organisation', type_='foreignkey')
        op.drop_constraint(op.f('fk_organisation_county_id_county'), 'organisation', type_='foreignkey')
    for column in ('valid_to', 'municipality_id', 'county_id'):
        op.execute(f'ALTER TABLE organisation DROP COLUMN {column}')
    op.drop_table('reference_revision')
    op.drop_table('county')
