"""The SANAD_JOBS_* settings: read as documented, refused with the variable's name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portal.config import ConfigError, load_settings


def test_defaults_and_overrides(tmp_path: Path) -> None:
    jobs = load_settings({"instance_dir": tmp_path, "secret_key": "k"}, environ={}).jobs
    assert jobs.in_serve is True
    assert jobs.lease == dt.timedelta(seconds=60)
    assert jobs.outbox_interval == dt.timedelta(seconds=30)
    assert jobs.close_resolved_interval == jobs.attention_interval == dt.timedelta(hours=1)
    given = {
        "SANAD_JOBS_IN_SERVE": "0",
        "SANAD_JOBS_LEASE_SECONDS": "120",
        "SANAD_JOBS_OUTBOX_SECONDS": "5",
        "SANAD_JOBS_CLOSE_RESOLVED_MINUTES": "1440",
        "SANAD_JOBS_ATTENTION_MINUTES": "15",
    }
    jobs = load_settings({"instance_dir": tmp_path, "secret_key": "k"}, environ=given).jobs
    assert (jobs.in_serve, jobs.lease, jobs.outbox_interval) == (
        False,
        dt.timedelta(minutes=2),
        dt.timedelta(seconds=5),
    )
    assert jobs.close_resolved_interval == dt.timedelta(days=1)
    assert jobs.attention_interval == dt.timedelta(minutes=15)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("SANAD_JOBS_IN_SERVE", "maybe"),
        ("SANAD_JOBS_LEASE_SECONDS", "2"),  # shorter than a heartbeat can hold on a busy host
        ("SANAD_JOBS_OUTBOX_SECONDS", "0"),
        ("SANAD_JOBS_ATTENTION_MINUTES", "1.5"),
        ("SANAD_JOBS_CLOSE_RESOLVED_MINUTES", "99999999"),
    ],
)
def test_bad_values_name_the_variable(tmp_path: Path, name: str, text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({"instance_dir": tmp_path, "secret_key": "k"}, environ={name: text})
    assert str(caught.value).startswith(f"{name} must be ")
    assert repr(text) in str(caught.value)
