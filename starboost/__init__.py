"""StarBoost (星推宝) back-office project package."""

from .celery import app as celery_app

__all__ = ("celery_app",)
