"""WSGI entry point for gunicorn (hosted edition): ``gunicorn wsgi:app``."""

from jobsmgmt import create_app

app = create_app()
