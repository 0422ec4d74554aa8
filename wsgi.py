"""Entry point for gunicorn: ``gunicorn wsgi:app``."""

import gc

from portal import create_app

app = create_app()

# What loading the app made lives as long as the worker: keep it out of the collector's full passes,
# which otherwise walk it all (80 ms with the portal loaded, docs/benchmarks.md). gc.freeze is meant for
# exactly this in servers that load once and then serve.
gc.freeze()
