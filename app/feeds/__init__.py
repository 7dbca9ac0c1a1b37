"""Feeds and crawler files at Hugo's paths: RSS 2.0 for lists, /sitemap.xml, /robots.txt."""

from flask import Blueprint

bp = Blueprint("feeds", __name__)

from app.feeds import views  # noqa: E402,F401 - routes register on import
