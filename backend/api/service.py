"""What this service offers a client before it sends anything: limits, compute targets."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from backend.api.deps import SettingsDep
from backend.compute_targets import ComputeTargetOut, compute_target
from mlcore.contract.job import JOB_KINDS

router = APIRouter(tags=["service"])


class ServiceOut(BaseModel):
    version: str
    max_upload_bytes: int = Field(description="the largest dataset upload (and S3 import)")
    job_kinds: list[str]
    compute_backends: list[str] = Field(description="where a job can run, the default first")
    compute_targets: list[ComputeTargetOut] = Field(
        description="the compute backends described (machine, price), in the same order"
    )
    llm_mutator: bool = Field(description="whether search jobs can use the service's LLM")
    import_s3_endpoints: list[str] = Field(description="S3 endpoints datasets can be imported from")


@router.get("/service", response_model=ServiceOut, summary="Limits and options of this service")
def service(settings: SettingsDep) -> ServiceOut:
    return ServiceOut(
        version="0.1.0",
        max_upload_bytes=settings.max_upload_bytes,
        job_kinds=JOB_KINDS.names(),
        compute_backends=settings.compute_backends,
        compute_targets=[compute_target(settings, name) for name in settings.compute_backends],
        llm_mutator=settings.service_facts.llm_url is not None,
        import_s3_endpoints=settings.allowed_import_endpoints,
    )
