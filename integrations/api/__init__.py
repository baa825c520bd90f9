"""The client API: read-only, with per-client bearer tokens; ``starboost.api`` mounts it."""

from .router import router

__all__ = ["router"]
