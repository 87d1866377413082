"""Search services built over a test's own articles and index."""

from __future__ import annotations

from collections.abc import Callable

from portal.search.services import SearchService

# make_service(**settings_overrides): one more SearchService (think: a gunicorn worker).
ServiceFactory = Callable[..., SearchService]
