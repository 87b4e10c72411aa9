"""All tables of API.md §6."""

from .analytics import JobAnalytics
from .applications import (
    FINAL_STAGES,
    PIPELINE,
    STAGES,
    Application,
    ApplicationStageEvent,
    Candidate,
)
from .audit import JobAuditLog
from .base import new_id, utcnow
from .bulk import BULK_OPERATIONS, BULK_STATUSES, BulkOperation
from .jobs import EMPLOYMENT_TYPES, STATUSES, Job, JobStatusHistory
from .notifications import Notification
from .postings import PORTALS, POSTING_STATUSES, JobExternalPosting
from .security import (
    AuditChainHead,
    AuditCheckpoint,
    AuditCheckpointHead,
    JobView,
    SecurityEvent,
)
from .users import ROLES, SYSTEM_USER_ID, ApiToken, User, UserSession

__all__ = [
    "BULK_OPERATIONS",
    "BULK_STATUSES",
    "EMPLOYMENT_TYPES",
    "FINAL_STAGES",
    "PIPELINE",
    "PORTALS",
    "POSTING_STATUSES",
    "ROLES",
    "STAGES",
    "STATUSES",
    "SYSTEM_USER_ID",
    "ApiToken",
    "AuditChainHead",
    "AuditCheckpoint",
    "AuditCheckpointHead",
    "Application",
    "ApplicationStageEvent",
    "BulkOperation",
    "Candidate",
    "Job",
    "JobAnalytics",
    "JobAuditLog",
    "JobExternalPosting",
    "JobStatusHistory",
    "JobView",
    "Notification",
    "SecurityEvent",
    "User",
    "UserSession",
    "new_id",
    "utcnow",
]
