# The Konstruktor API and worker image (docker-compose.yml runs both from it).
# The web app is built in its own stage; only its dist/ goes into the image.
FROM node:20-slim AS web
WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend ./
RUN npm run build

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    KONSTRUKTOR_VAR_DIR=/app/var

WORKDIR /app

COPY requirements.txt requirements-runner.txt ./
RUN pip install -r requirements.txt

COPY backend backend
COPY worker worker
COPY mlcore mlcore
COPY storage storage
COPY alembic alembic
COPY alembic.ini .
COPY --from=web /web/dist frontend/dist

RUN useradd --create-home --uid 1000 konstruktor \
    && mkdir -p /app/var \
    && chown konstruktor /app/var
USER konstruktor

EXPOSE 8000
CMD ["sh", "-c", "alembic upgrade head && exec uvicorn backend.main:app --host 0.0.0.0 --port 8000"]
