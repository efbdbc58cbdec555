# The sumapi service image, for linux/amd64 (Fargate's X86_64; make images passes --platform):
#   docker build --platform linux/amd64 -t sumapi --build-arg SUMAPI_COMMIT=$(git rev-parse HEAD) .
# The stages start from PYTHON_IMAGE: by default the upstream stage below; a build where no
# registry serves it names a base of its own (devtools/build-images), and that stage is skipped.
ARG PYTHON_IMAGE=python-upstream

# Exact patch tag pinned, in a FROM line of its own because Dependabot (.github/dependabot.yml)
# reads FROM lines, not ARG defaults. Pin the digest too (python:3.11.14-slim-bookworm@sha256:...)
# where Docker Hub is reachable (CI); this project's build machine cannot resolve it.
FROM python:3.11.14-slim-bookworm AS python-upstream

# ---- build: a virtualenv with the pinned dependencies and the package, nothing else ------------
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
RUN python -m venv /opt/venv
# requirements/app.txt is a complete freeze: --no-deps installs exactly those pins, nothing newer.
COPY requirements/app.txt requirements/app.txt
RUN /opt/venv/bin/pip install --no-deps -r requirements/app.txt
COPY pyproject.toml ./
COPY src ./src
RUN /opt/venv/bin/pip install --no-deps . \
    && /opt/venv/bin/pip uninstall --yes pip setuptools

# ---- runtime: slim base + the virtualenv, unprivileged ------------------------------------------
FROM ${PYTHON_IMAGE}
ARG SUMAPI_VERSION=1.0.0
ARG SUMAPI_COMMIT=unknown
LABEL org.opencontainers.image.title="sumapi" \
      org.opencontainers.image.description="Adds two numbers, operated like a production service" \
      org.opencontainers.image.version="${SUMAPI_VERSION}" \
      org.opencontainers.image.revision="${SUMAPI_COMMIT}"
RUN groupadd --system --gid 10001 sumapi \
    && useradd --system --uid 10001 --gid sumapi --no-create-home --shell /usr/sbin/nologin sumapi
COPY --from=build /opt/venv /opt/venv
# 0.0.0.0 so a plain `docker run -p` works; in ECS and compose the task sets SUMAPI_HOST=127.0.0.1,
# so only the gateway in the same network namespace can reach the app (and its /metrics).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    SUMAPI_HOST=0.0.0.0 \
    SUMAPI_PORT=8000 \
    SUMAPI_VERSION=${SUMAPI_VERSION} \
    SUMAPI_COMMIT=${SUMAPI_COMMIT}
USER 10001:10001
EXPOSE 8000
# The app drains on SIGTERM (readyz 503, keeps serving, then closes); say so explicitly.
STOPSIGNAL SIGTERM
# No curl in a slim image: the interpreter is already there. urlopen raises on non-2xx -> exit 1.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ['SUMAPI_PORT'] + '/healthz', timeout=2)"]
# Exec form: python is PID 1 and receives SIGTERM itself (no shell in between).
ENTRYPOINT ["python", "-m", "sumapi"]
