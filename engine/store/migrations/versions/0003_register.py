"""resident register (Melderegister)

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-25 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.store.types

revision = '0003'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('register_person',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('authority_id', sa.Uuid(), nullable=False),
    sa.Column('familienname', sa.String(length=120), nullable=False),
    sa.Column('vornamen', sa.String(length=120), nullable=False),
    sa.Column('geburtsname', sa.String(length=120), nullable=True),
    sa.Column('doktorgrad', sa.String(length=40), nullable=True),
    sa.Column('ordens_kuenstlername', sa.String(length=120), nullable=True),
    sa.Column('geschlecht', sa.String(length=1), nullable=False),
    sa.Column('geburtsdatum', sa.Date(), nullable=False),
    sa.Column('geburtsort', sa.String(length=120), nullable=True),
    sa.Column('geburtsstaat', sa.String(length=3), nullable=False),
    sa.Column('staatsangehoerigkeiten', sa.JSON(), nullable=False),
    sa.Column('religion', sa.String(length=4), nullable=True),
    sa.Column('familienstand', sa.String(length=2), nullable=True),
    sa.Column('verstorben_am', sa.Date(), nullable=True),
    sa.Column('familienname_fold', sa.String(length=120), nullable=False),
    sa.Column('vornamen_fold', sa.String(length=120), nullable=False),
    sa.Column('sandbox', sa.Boolean(), nullable=False),
    sa.Column('created_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('register_person', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_person_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_register_person_geburtsdatum'), ['geburtsdatum'], unique=False)
        batch_op.create_index('ix_register_person_name_birth', ['familienname_fold', 'geburtsdatum'], unique=False)

    op.create_table('register_name_key',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('field', sa.String(length=12), nullable=False),
    sa.Column('fold', sa.String(length=120), nullable=False),
    sa.Column('phonetik', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['register_person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('register_name_key', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_name_key_fold'), ['fold'], unique=False)
        batch_op.create_index(batch_op.f('ix_register_name_key_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_register_name_key_phonetik'), ['phonetik'], unique=False)

    op.create_table('register_residence',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('art', sa.String(length=12), nullable=False),
    sa.Column('strasse', sa.String(length=120), nullable=False),
    sa.Column('hausnummer', sa.String(length=20), nullable=False),
    sa.Column('postleitzahl', sa.String(length=10), nullable=False),
    sa.Column('ort', sa.String(length=120), nullable=False),
    sa.Column('ags', sa.String(length=8), nullable=False),
    sa.Column('zusatz', sa.String(length=120), nullable=True),
    sa.Column('eingezogen_am', sa.Date(), nullable=False),
    sa.Column('ausgezogen_am', sa.Date(), nullable=True),
    sa.Column('wohnungsgeber', sa.JSON(), nullable=True),
    sa.Column('wegzug_anschrift', sa.JSON(), nullable=True),
    sa.Column('created_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['register_person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('register_residence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_residence_ags'), ['ags'], unique=False)
        batch_op.create_index(batch_op.f('ix_register_residence_person_id'), ['person_id'], unique=False)

    op.create_table('register_document',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('art', sa.String(length=24), nullable=False),
    sa.Column('seriennummer', sa.String(length=20), nullable=False),
    sa.Column('behoerde', sa.String(length=200), nullable=False),
    sa.Column('ausgestellt_am', sa.Date(), nullable=False),
    sa.Column('gueltig_bis', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('status_seit', sa.Date(), nullable=False),
    sa.Column('grund', sa.Text(), nullable=True),
    sa.Column('created_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['register_person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('seriennummer')
    )
    with op.batch_alter_table('register_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_document_person_id'), ['person_id'], unique=False)

    op.create_table('register_block',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('art', sa.String(length=4), nullable=False),
    sa.Column('grund', sa.Text(), nullable=False),
    sa.Column('bis', sa.Date(), nullable=False),
    sa.Column('created_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', engine.store.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['register_person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('register_block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_block_person_id'), ['person_id'], unique=False)

    op.create_table('register_link',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('person_id', sa.Uuid(), nullable=False),
    sa.Column('related_id', sa.Uuid(), nullable=False),
    sa.Column('art', sa.String(length=30), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['register_person.id'], ),
    sa.ForeignKeyConstraint(['related_id'], ['register_person.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('person_id', 'related_id', 'art')
    )
    with op.batch_alter_table('register_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_register_link_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_register_link_related_id'), ['related_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('register_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_link_related_id'))
        batch_op.drop_index(batch_op.f('ix_register_link_person_id'))
    op.drop_table('register_link')
    with op.batch_alter_table('register_block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_block_person_id'))
    op.drop_table('register_block')
    with op.batch_alter_table('register_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_document_person_id'))
    op.drop_table('register_document')
    with op.batch_alter_table('register_residence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_residence_person_id'))
        batch_op.drop_index(batch_op.f('ix_register_residence_ags'))
    op.drop_table('register_residence')
    with op.batch_alter_table('register_name_key', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_register_name_key_phonetik'))
        batch_op.drop_index(batch_op.f('ix_register_name_key_person_id'))
        batch_op.drop_index(batch_op.f('ix_register_name_key_fold'))
    op.drop_table('register_name_key')
    with op.batch_alter_table('register_person', schema=None) as batch_op:
        batch_op.drop_index('ix_register_person_name_birth')
        batch_op.drop_index(batch_op.f('ix_register_person_geburtsdatum'))
        batch_op.drop_index(batch_op.f('ix_register_person_authority_id'))
    op.drop_table('register_person')
