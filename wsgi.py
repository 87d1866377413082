"""The one application built at import time, for gunicorn or ``flask --app wsgi``."""

from portal import create_app

app = create_app()
