"""Architecture recommendations: every catalog classifier ranked for a dataset version."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from backend.api.deps import DB, CurrentUser, SettingsDep, StorageDep, get_owned, let_go
from backend.api.errors import BUSY_RETRY_AFTER_S, responses
from backend.models import DatasetVersion, Project, User
from backend.schemas import (
    RecommendationCreate,
    RecommendationOut,
    TrainStart,
    TrainStartBody,
    TrainStartParams,
)
from backend.services.recommendations import (
    RankTarget,
    RecommendationRefused,
    RecommenderUnavailable,
    rank_target,
    recommend,
)

router = APIRouter(tags=["recommendations"])


def _owned_target(db: Session, user: User, project_id: str, version_id: str) -> RankTarget:
    get_owned(db, Project, project_id, user, "project")
    return rank_target(get_owned(db, DatasetVersion, version_id, user, "dataset version"))


@router.post(
    "/projects/{project_id}/recommendations",
    response_model=RecommendationOut,
    summary="Every catalog classifier ranked for a dataset version, with why, and the call "
    "that trains the top one",
    description=(
        "The shipped recommender reads up to 32 training images of the version and its "
        "statistics (classes, training images per class, median image side, grey or colour) "
        "and ranks the whole classification portfolio: rank 1 first, scores descending. "
        "`predicted_accuracy` is for the recommender's own short protocol (`protocol`), not "
        "a full training. `start` is the job request that trains the top model with every "
        "other setting chosen from the data. The version may come from any of your projects."
    ),
    responses=responses(
        400,
        401,
        404,
        422,
        503,
        described={
            422: "Invalid body (`errors` names each field), or a version that cannot be "
            "ranked (detection data, fewer than two classes with training images): "
            "`detail` says why",
            503: "The database or storage is unavailable, or the recommender could not "
            "start or answer in time: try again after Retry-After seconds",
        },
    ),
)
async def recommend_models(
    project_id: str,
    body: RecommendationCreate,
    request: Request,
    user: CurrentUser,
    db: DB,
    storage: StorageDep,
    settings: SettingsDep,
) -> RecommendationOut:
    try:
        target = await run_in_threadpool(
            _owned_target, db, user, project_id, body.dataset_version_id
        )
        let_go(db)  # the ranking needs no database connection
        recommendation = await recommend(target, storage, settings)
    except RecommendationRefused as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    except RecommenderUnavailable as exc:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            str(exc),
            headers={"Retry-After": str(BUSY_RETRY_AFTER_S)},
        ) from exc
    start = TrainStart(
        method="POST",
        path=str(request.app.url_path_for("create_job", project_id=project_id)),
        body=TrainStartBody(
            kind="train",
            dataset_version_id=target.version_id,
            params=TrainStartParams(model=recommendation.models[0].model),
        ),
    )
    return RecommendationOut(
        **recommendation.model_dump(), dataset_version_id=target.version_id, start=start
    )
