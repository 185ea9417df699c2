"""Kyky, the e-learning platform of the Finnish Work Ability Programme."""

from .celery import app as celery_app

__all__ = ("celery_app",)
