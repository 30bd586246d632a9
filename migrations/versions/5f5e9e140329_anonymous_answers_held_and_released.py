"""anonymous answers held sealed, released in batches

Answers wait, sealed, in held_response; a response's only date is the day its batch was released
(released_on), and responses carry random ids. Existing responses are written again per
questionnaire in shuffled order under random ids, all with the questionnaire's last answer day,
so their ids and order no longer follow arrival. The last login keeps the day only.

Revision ID: 5f5e9e140329
Revises: 68db5dd2aa45
Create Date: 2026-12-01 19:04:58.594703

"""
import secrets
from datetime import datetime, time

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5f5e9e140329'
down_revision = '68db5dd2aa45'
branch_labels = None
depends_on = None


def _random_id() -> int:
    return 2**24 + secrets.randbelow(2**31 - 1 - 2**24)


response = sa.table("response", sa.column("id", sa.Integer), sa.column("questionnaire_id", sa.Integer),
                    sa.column("released_on", sa.Date))
answer = sa.table("answer", sa.column("id", sa.Integer), sa.column("response_id", sa.Integer),
                  sa.column("question_id", sa.Integer), sa.column("value", sa.SmallInteger),
                  sa.column("text", sa.Text))
user = sa.table("user", sa.column("id", sa.Integer), sa.column("last_login_at", sa.DateTime),
                sa.column("last_login_on", sa.Date))


def _mix_existing_responses(conn) -> None:
    """Each questionnaire's responses again, shuffled, under random ids, with one date."""
    shuffler = secrets.SystemRandom()
    questionnaires = conn.execute(sa.select(response.c.questionnaire_id).distinct()).scalars().all()
    used: set[int] = set()
    for questionnaire_id in questionnaires:
        rows = conn.execute(sa.select(response.c.id, response.c.released_on)
                            .where(response.c.questionnaire_id == questionnaire_id)).all()
        day = max(r.released_on for r in rows)
        old_ids = [r.id for r in rows]
        answers: dict[int, list[dict]] = {i: [] for i in old_ids}
        for chunk in range(0, len(old_ids), 500):
            part = old_ids[chunk:chunk + 500]
            for a in conn.execute(sa.select(answer.c.response_id, answer.c.question_id, answer.c.value, answer.c.text)
                                  .where(answer.c.response_id.in_(part))):
                answers[a.response_id].append({"question_id": a.question_id, "value": a.value, "text": a.text})
            conn.execute(answer.delete().where(answer.c.response_id.in_(part)))
            conn.execute(response.delete().where(response.c.id.in_(part)))
        shuffler.shuffle(old_ids)
        for old_id in old_ids:
            new_id = _random_id()
            while new_id in used or conn.execute(sa.select(response.c.id).where(response.c.id == new_id)).first():
                new_id = _random_id()
            used.add(new_id)
            conn.execute(response.insert().values(id=new_id, questionnaire_id=questionnaire_id, released_on=day))
            if answers[old_id]:
                conn.execute(answer.insert(), [{**a, "response_id": new_id} for a in answers[old_id]])


def upgrade():
    # Native ALTER TABLE (SQLite 3.35+, PostgreSQL) rather than batch mode: on SQLite a batch
    # recreates the table, and dropping the old one would cascade to the rows that refer to it.
    op.create_table('held_response',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('questionnaire_id', sa.Integer(), nullable=False),
    sa.Column('sealed', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['questionnaire_id'], ['questionnaire.id'], name=op.f('fk_held_response_questionnaire_id_questionnaire'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_held_response'))
    )
    op.create_index(op.f('ix_held_response_questionnaire_id'), 'held_response', ['questionnaire_id'], unique=False)

    op.execute('ALTER TABLE outbox_message ADD COLUMN topic VARCHAR(64)')
    op.execute('ALTER TABLE outbox_message ADD COLUMN anonymous BOOLEAN DEFAULT false NOT NULL')
    op.create_index(op.f('ix_outbox_message_topic'), 'outbox_message', ['topic'], unique=False)

    op.execute('ALTER TABLE response RENAME COLUMN submitted_on TO released_on')
    conn = op.get_bind()
    _mix_existing_responses(conn)

    op.execute('ALTER TABLE "user" ADD COLUMN last_login_on DATE')
    for user_id, at in conn.execute(sa.select(user.c.id, user.c.last_login_at).where(user.c.last_login_at.is_not(None))).all():
        conn.execute(user.update().where(user.c.id == user_id).values(last_login_on=at.date()))
    op.execute('ALTER TABLE "user" DROP COLUMN last_login_at')


def downgrade():
    conn = op.get_bind()
    op.execute('ALTER TABLE "user" ADD COLUMN last_login_at TIMESTAMP')
    for user_id, on in conn.execute(sa.select(user.c.id, user.c.last_login_on).where(user.c.last_login_on.is_not(None))).all():
        conn.execute(user.update().where(user.c.id == user_id).values(last_login_at=datetime.combine(on, time())))
    op.execute('ALTER TABLE "user" DROP COLUMN last_login_on')

    op.execute('ALTER TABLE response RENAME COLUMN released_on TO submitted_on')

    op.drop_index(op.f('ix_outbox_message_topic'), table_name='outbox_message')
    op.execute('ALTER TABLE outbox_message DROP COLUMN anonymous')
    op.execute('ALTER TABLE outbox_message DROP COLUMN topic')

    op.drop_index(op.f('ix_held_response_questionnaire_id'), table_name='held_response')
    op.drop_table('held_response')
