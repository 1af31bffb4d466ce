"""The search web service: JSON API, OpenAPI, and a single static page (see app.py)."""

from shrinksearch.web.app import create_app

__all__ = ["create_app"]
