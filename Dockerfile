# Image for deploy/docker-compose.yml (not used by make run or make test).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY shared shared
COPY services services
# `bodemregie topics` (topics and ACLs) and the auditor's commands
COPY auditor auditor
COPY bodemregie bodemregie
RUN pip install --no-cache-dir .
