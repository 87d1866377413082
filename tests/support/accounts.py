"""Accounts in service-level tests: the default password, cheap hashing, the ``run`` type."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from portal.accounts.models import UserInfo
from portal.config import AccountSettings

PASSWORD = "correct-Horse-battery-9"
# Production rules with a cheap Argon2id cost, so hundreds of hashes stay fast.
CHEAP_HASHING = {"argon2_time_cost": 1, "argon2_memory_cost": 8, "argon2_parallelism": 1}
CHEAP = AccountSettings(**CHEAP_HASHING)

# run(fn, *args, **kwargs): fn(session, *args, **kwargs) in its own transaction.
Run = Callable[..., Any]
MakeUser = Callable[..., UserInfo]
