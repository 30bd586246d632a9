"""outbox: extra headers, attachments and what sent a message

A message can carry extra headers (a JSON list of name/value pairs: List-Unsubscribe and the
like), attachments in their own table (deleted with their message), and a reference to what sent
it (source_type and source_id, indexed together).

Revision ID: c5e1a7d3f9b2
Revises: a1c3e5f7b9d2
Create Date: 2026-12-05 12:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5e1a7d3f9b2'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('outbox_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outbox_message_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=127), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['outbox_message_id'], ['outbox_message.id'], name=op.f('fk_outbox_attachment_outbox_message_id_outbox_message'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attachment'))
    )
    op.create_index(op.f('ix_outbox_attachment_outbox_message_id'), 'outbox_attachment', ['outbox_message_id'], unique=False)

    # Plain ALTER TABLE ... ADD COLUMN, not batch mode: on SQLite a batch recreates the table, and
    # dropping the old one would cascade to the rows that refer to it.
    op.add_column('outbox_message', sa.Column('headers', sa.Text(), nullable=True))
    op.add_column('outbox_message', sa.Column('source_type', sa.String(length=32), nullable=True))
    op.add_column('outbox_message', sa.Column('source_id', sa.Integer(), nullable=True))
    op.create_index('ix_outbox_message_source', 'outbox_message', ['source_type', 'source_id'], unique=False)


def downgrade():
    op.drop_index('ix_outbox_message_source', table_name='outbox_message')
    op.execute('ALTER TABLE outbox_message DROP COLUMN source_id')
    op.execute('ALTER TABLE outbox_message DROP COLUMN source_type')
    op.execute('ALTER TABLE outbox_message DROP COLUMN headers')

    op.drop_index(op.f('ix_outbox_attachment_outbox_message_id'), table_name='outbox_attachment')
    op.drop_table('outbox_attachment')
