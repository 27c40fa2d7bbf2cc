"""The key an instance made for itself to sign notification packages (services/package_signing).

Only used when no key file is configured and the installation is not production: a demo or test
installation can then sign without set-up, and every app process and machine signs with the same
key because it lives in the shared database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cloudtoets.store.clock import now_default
from cloudtoets.store.tables import Base

INSTANCE_KEY = "notification-signing"


class InstanceKeyRow(Base):
    __tablename__ = "instance_keys"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    private_key: Mapped[str] = mapped_column(Text)  # PEM, PKCS#8
    public_key: Mapped[str] = mapped_column(String(100))  # raw key, base64
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now_default)
