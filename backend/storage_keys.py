"""Where each user-owned object lives in storage: one place for the key layout."""


def dataset_version_prefix(owner_id: str, dataset_id: str, version_id: str) -> str:
    return f"users/{owner_id}/datasets/{dataset_id}/{version_id}"


def job_prefix(owner_id: str, job_id: str) -> str:
    return f"users/{owner_id}/jobs/{job_id}"
