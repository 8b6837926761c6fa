"""Tables of the resident register (Melderegister).

The register is kept per Meldebehörde: every person row names the authority that keeps it
(``authority_id``, shown as ``gefuehrt_von``), which is the Meldebehörde of the person's
Hauptwohnung or alleinige Wohnung. All authorities of one installation share the tables, so a
search finds residents of every Amt the mobile office serves and says who keeps them.

Dates of birth are full dates. DSMeld also knows partially known dates (``1982-01``,
``1982``, XMeld ``geburtsdatum`` as ``xs:gYearMonth``/``xs:gYear``); they would be stored as
the first day of the known period plus a ``geburtsdatum_genauigkeit`` column
(``tag``/``monat``/``jahr``) so that searches and age rules can still compare dates. That
column does not exist yet because no procedure records such persons.

Identifiers are UUIDs (registers are filled on several offline laptops and merged later).
Search keys (folded and phonetic form of every word of family, birth and first names) live
in :class:`NameKey`, one indexed row per word, so that one part of a double name is found.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.models import Base


class Person(Base):
    """A resident (Einwohner) with the BMG § 3 data procedures use."""

    __tablename__ = "register_person"
    __table_args__ = (Index("ix_register_person_name_birth", "familienname_fold", "geburtsdatum"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    authority_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("authority.id"), index=True)
    """The Meldebehörde keeping this person ("geführt von")."""
    familienname: Mapped[str] = mapped_column(String(120))
    vornamen: Mapped[str] = mapped_column(String(120))
    geburtsname: Mapped[str | None] = mapped_column(String(120))
    doktorgrad: Mapped[str | None] = mapped_column(String(40))
    ordens_kuenstlername: Mapped[str | None] = mapped_column(String(120))
    geschlecht: Mapped[str] = mapped_column(String(1))
    """XInneres code list ``geschlecht``: m, w, d, x (x = keine Angabe)."""
    geburtsdatum: Mapped[date] = mapped_column(Date, index=True)
    geburtsort: Mapped[str | None] = mapped_column(String(120))
    geburtsstaat: Mapped[str] = mapped_column(String(3), default="000")
    """Destatis Staatsgebiete key; 000 = Deutschland."""
    staatsangehoerigkeiten: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Destatis Staatsangehörigkeit keys; 000 = deutsch."""
    religion: Mapped[str | None] = mapped_column(String(4))
    """DSMeld religion key (``ev``, ``rk``, ``--`` = keiner steuererhebenden angehörend) or None."""
    familienstand: Mapped[str | None] = mapped_column(String(2))
    """DSMeld Familienstand key (LD, VH, VW, GS, …) or None."""
    verstorben_am: Mapped[date | None] = mapped_column(Date)
    familienname_fold: Mapped[str] = mapped_column(String(120))
    vornamen_fold: Mapped[str] = mapped_column(String(120))
    sandbox: Mapped[bool] = mapped_column(Boolean, default=False)
    """Created by a sandbox (designer test) case: invisible to real cases, only changeable by sandbox cases."""
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class NameKey(Base):
    """One word of a person's family, birth or first names, folded and phonetically coded."""

    __tablename__ = "register_name_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("register_person.id"), index=True)
    field: Mapped[str] = mapped_column(String(12))  # familienname | geburtsname | vornamen
    fold: Mapped[str] = mapped_column(String(120), index=True)
    phonetik: Mapped[str] = mapped_column(String(60), index=True)


class Residence(Base):
    """A Wohnung of a person (one row per person and dwelling, with move-in and move-out)."""

    __tablename__ = "register_residence"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("register_person.id"), index=True)
    art: Mapped[str] = mapped_column(String(12))  # hauptwohnung | nebenwohnung | alleinige
    strasse: Mapped[str] = mapped_column(String(120))
    hausnummer: Mapped[str] = mapped_column(String(20))
    postleitzahl: Mapped[str] = mapped_column(String(10))
    ort: Mapped[str] = mapped_column(String(120))
    ags: Mapped[str] = mapped_column(String(8), index=True)
    zusatz: Mapped[str | None] = mapped_column(String(120))
    eingezogen_am: Mapped[date] = mapped_column(Date)
    ausgezogen_am: Mapped[date | None] = mapped_column(Date)
    wohnungsgeber: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Wohnungsgeber (and owner) as given at the Anmeldung (§ 19 BMG)."""
    wegzug_anschrift: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    """Address abroad (with ``staat``) given at an Abmeldung."""
    created_at: Mapped[datetime]


class IdentityDocument(Base):
    """A passport or ID card of a person (BMG § 3 Abs. 1 Nr. 17)."""

    __tablename__ = "register_document"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("register_person.id"), index=True)
    art: Mapped[str] = mapped_column(String(24))
    seriennummer: Mapped[str] = mapped_column(String(20), unique=True)
    behoerde: Mapped[str] = mapped_column(String(200))
    ausgestellt_am: Mapped[date] = mapped_column(Date)
    gueltig_bis: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12))
    """gueltig | ungueltig | verloren | gestohlen (``abgelaufen`` is derived from gueltig_bis)."""
    status_seit: Mapped[date] = mapped_column(Date)
    grund: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]


class InformationBlock(Base):
    """An Auskunftssperre (§ 51 BMG) or another block from the DSMeld list."""

    __tablename__ = "register_block"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("register_person.id"), index=True)
    art: Mapped[str] = mapped_column(String(4))
    """DSMeld Auskunftssperre key (3 = § 51 Abs. 1 BMG)."""
    grund: Mapped[str] = mapped_column(Text)
    bis: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class TransferBlock(Base):
    """An Übermittlungssperre: the person objected to transfers of their data to one kind of recipient.

    Kept until revoked; the recipients are the fixed list of :data:`engine.register.codes.UEBERMITTLUNGSSPERREN`.
    """

    __tablename__ = "register_transfer_block"
    __table_args__ = (UniqueConstraint("person_id", "empfaenger"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("register_person.id"), index=True)
    empfaenger: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]


class PersonLink(Base):
    """A relation between two persons: ``person`` is represented by ``related`` (gesetzlicher Vertreter).

    Children are the inverse: the children of P are the persons whose representative is P.
    """

    __tablename__ = "register_link"
    __table_args__ = (UniqueConstraint("person_id", "related_id", "art"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("register_person.id"), index=True)
    related_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("register_person.id"), index=True)
    art: Mapped[str] = mapped_column(String(30))  # gesetzlicher_vertreter
