"""Tables of the compute control plane. The companions keep theirs beside their code."""

from __future__ import annotations

import datetime

from sqlalchemy import Boolean, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from novalite.db.base import Base, TimestampMixin


class Service(TimestampMixin, Base):
    """One running service (api, conductor, scheduler, compute ...) on one host."""

    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("host", "binary"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    host: Mapped[str] = mapped_column(String(255))
    binary: Mapped[str] = mapped_column(String(255))
    topic: Mapped[str | None] = mapped_column(String(255))
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    disabled_reason: Mapped[str | None] = mapped_column(String(255))
    forced_down: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen_up: Mapped[datetime.datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=0)
