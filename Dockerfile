# Image for deploy/docker-compose.yml (not used by make run or make test).
FROM python:3.11-slim
WORKDIR /app
# Pango for WeasyPrint, which renders the reports as PDF (services/rapportage/entrypoints/weergave_pdf.py).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY shared shared
COPY services services
# `bodemregie topics` (topics and ACLs) and the auditor's commands
COPY auditor auditor
COPY bodemregie bodemregie
RUN pip install --no-cache-dir .
