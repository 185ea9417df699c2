"""Kyky's own locale formats (``FORMAT_MODULE_PATH``) and the display helpers that use them.

Django looks here first for ``<language>/formats.py`` and falls back to its own module for every
name not set here; Finnish needs nothing of its own (Django's ``fi`` already writes 30.11.2026 and
14.05). Why Swedish and English differ from Django's: docs/decisions.md.
"""
