"""The Celery app.

Without ``CELERY_BROKER_URL`` the settings make tasks run eagerly in the calling process, so a new
user needs no broker; with one, a worker started with ``celery -A lms worker`` runs them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings.dev")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
