"""The JSON API under /api. Each module declares its routes with ``base.route``."""

from . import jobs, openapi  # noqa: F401, I001  (route registration)
from . import applications  # noqa: F401, I001  (route registration)
from . import analytics, dashboard  # noqa: F401, I001  (route registration)
from . import audit, status  # noqa: F401, I001  (route registration)
from . import bulk  # noqa: F401, I001  (route registration)
from . import postings  # noqa: F401, I001  (route registration)
from .base import api_bp

__all__ = ["api_bp"]
