"""Helpers the tests share that are not fixtures: types, constants and plain functions.

Fixtures are shared through the ``conftest.py`` files; test modules import helpers from here,
never from a test module or a conftest, so a test file can be moved or run alone.
"""
