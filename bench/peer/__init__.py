"""The peer: a small Django project of our own serving wagtail-lms (installed from PyPI) for ``make bench``.

It runs in its own virtual environment (``var/bench-peer/venv``), never in Kyky's, and imports
nothing from Kyky. ``bench/run.py`` installs it, migrates its database, runs ``peer.setup`` and
serves ``peer.wsgi`` with the same gunicorn settings as Kyky.
"""
