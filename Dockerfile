# One image for the app server and the job workers (see compose.yaml and docs/operations.md).
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 ONCOCENTER_DATA_DIR=/var/lib/oncocenter
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir /app && mkdir -p /var/lib/oncocenter && useradd -r oncocenter \
    && chown oncocenter /var/lib/oncocenter
USER oncocenter
EXPOSE 8000
CMD ["oncocenter", "serve", "--bind", "0.0.0.0:8000"]
