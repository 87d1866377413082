"""The routing rules table (see portal.tickets.routing for how rules match and apply)."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import Base, intpk


class RoutingRule(Base):
    __tablename__ = "routing_rules"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    # Conditions (None / empty: not checked); words is a list of words or phrases.
    words: Mapped[list[str]] = mapped_column(JSON, default=list)
    category: Mapped[str | None] = mapped_column(String(60))
    channel: Mapped[str | None] = mapped_column(String(20))
    requester_domain: Mapped[str | None] = mapped_column(String(254))
    # Actions.
    set_category: Mapped[str | None] = mapped_column(String(60))
    set_tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    set_priority: Mapped[str | None] = mapped_column(String(10))
    set_team: Mapped[str | None] = mapped_column(String(60))
    set_assignee_id: Mapped[int | None] = mapped_column(Integer)
