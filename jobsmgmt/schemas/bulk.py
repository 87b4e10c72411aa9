"""Bulk-operation requests and responses (API.md §3 "bulk-update", "bulk-operations").

The request is validated as a whole: the operation picks its parameters model (a tagged union
on ``operation``), so a bad operation or bad parameters is a 422 before anything is recorded.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Field,
    RootModel,
    field_validator,
    model_validator,
)

from ..models import BULK_STATUSES, PORTALS
from .common import (
    PageQuery,
    Pagination,
    RequestModel,
    ResponseModel,
    Text,
    UTCTime,
    WholeNumber,
)
from .jobs import EmploymentType, JobStatus

MAX_JOBS = 50
JobId = Text(64, 1, blank=False)
Portal = Literal[PORTALS]  # type: ignore[valid-type]
Outcome = Literal["changed", "no_change", "failed"]
PlannedOutcome = Literal["change", "no_change", "error"]


class StatusUpdateParams(RequestModel):
    status: JobStatus
    reason: Text(1000) | None = None


class UpdateFieldsParams(RequestModel):
    """Only the fields sent are changed; at least one is required."""

    department: Text(100) = None  # type: ignore[assignment]
    location: Text(200) = None  # type: ignore[assignment]
    employment_type: EmploymentType = None  # type: ignore[assignment]
    application_deadline: UTCTime | None = None
    owner_id: Text(36, 1, blank=False) = None  # type: ignore[assignment]

    @model_validator(mode="after")
    def at_least_one(self):
        if not self.model_fields_set:
            raise ValueError(
                "Give at least one of department, location, employment_type, "
                "application_deadline, owner_id."
            )
        return self


class ExtendDeadlineParams(RequestModel):
    days: WholeNumber = Field(ge=1, le=365)


class PostExternalParams(RequestModel):
    portals: Annotated[list[Portal], Field(min_length=1, max_length=len(PORTALS))]
    expires_in_days: WholeNumber = Field(30, ge=1, le=90)

    @field_validator("portals")
    @classmethod
    def unique_portals(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))


class DeleteParams(RequestModel):
    pass


class _BulkBase(RequestModel):
    job_ids: Annotated[list[JobId], Field(min_length=1, max_length=500)]
    dry_run: bool = False

    @field_validator("job_ids")
    @classmethod
    def unique_ids(cls, value: list[str]) -> list[str]:
        """Repeated ids count once; at most 50 distinct jobs."""
        unique = list(dict.fromkeys(value))
        if len(unique) > MAX_JOBS:
            raise ValueError(f"At most {MAX_JOBS} distinct job ids per operation.")
        return unique


class StatusUpdateRequest(_BulkBase):
    operation: Literal["status_update"]
    parameters: StatusUpdateParams


class UpdateFieldsRequest(_BulkBase):
    operation: Literal["update_fields"]
    parameters: UpdateFieldsParams


class ExtendDeadlineRequest(_BulkBase):
    operation: Literal["extend_deadline"]
    parameters: ExtendDeadlineParams


class PostExternalRequest(_BulkBase):
    operation: Literal["post_external"]
    parameters: PostExternalParams


class DeleteRequest(_BulkBase):
    operation: Literal["delete"]
    parameters: DeleteParams = Field(default_factory=DeleteParams)


AnyBulkRequest = Annotated[
    StatusUpdateRequest
    | UpdateFieldsRequest
    | ExtendDeadlineRequest
    | PostExternalRequest
    | DeleteRequest,
    Field(discriminator="operation"),
]


class BulkUpdateRequest(RootModel[AnyBulkRequest]):
    """``{"job_ids", "operation", "parameters", "dry_run"}``."""

    @property
    def request(self) -> _BulkBase:
        return self.root

    def parameters_dict(self) -> dict[str, Any]:
        """The parameters as stored: only the fields that were sent (plus defaults that matter)."""
        params = self.root.parameters
        if isinstance(params, UpdateFieldsParams):
            return params.model_dump(mode="json", include=params.model_fields_set)
        return params.model_dump(mode="json")


class PlannedError(ResponseModel):
    code: str
    message: str


class FieldChange(ResponseModel):
    model_config = ConfigDict(
        from_attributes=True, validate_by_name=True, validate_by_alias=True, serialize_by_alias=True
    )

    from_: Any = Field(None, alias="from")
    to: Any = None


class DryRunResult(ResponseModel):
    job_id: str
    outcome: PlannedOutcome
    changes: dict[str, FieldChange] = {}
    error: PlannedError | None = None


class DryRunResponse(ResponseModel):
    success: Literal[True] = True
    dry_run: Literal[True] = True
    operation: str
    total_count: int
    would_succeed: int
    would_fail: int
    results: list[DryRunResult]


class QueuedResponse(ResponseModel):
    success: Literal[True] = True
    operation_id: str
    status: Literal["queued"] = "queued"
    total_count: int


class OperationResult(ResponseModel):
    job_id: str
    outcome: Outcome
    error: PlannedError | None = None
    changes: dict[str, FieldChange] = {}


class OperationOut(ResponseModel):
    id: str
    operation_type: str
    status: Literal[BULK_STATUSES]  # type: ignore[valid-type]
    total_count: int
    success_count: int
    failure_count: int
    results: list[OperationResult]
    initiated_by: str
    undo_of: str | None = Field(None, description="The operation this one undoes (undo only)")
    created_at: UTCTime
    started_at: UTCTime | None
    completed_at: UTCTime | None


class OperationEnvelope(OperationOut):
    success: Literal[True] = True


class OperationList(ResponseModel):
    success: Literal[True] = True
    bulk_operations: list[OperationOut]
    pagination: Pagination


class OperationListQuery(PageQuery):
    status: Literal[BULK_STATUSES] | None = None  # type: ignore[valid-type]


class UndoRequest(RequestModel):
    """``POST /bulk-operations/{id}/undo``: a dry run previews, otherwise the undo is queued."""

    dry_run: bool = False
