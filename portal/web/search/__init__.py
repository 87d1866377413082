"""Blueprint ``search`` (``/search``): results, facets, suggestions and notices."""

from portal.web.search.views import bp

__all__ = ["bp"]
