"""docker-compose.yml and the settings read the same environment variables."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
READ = re.compile(r"""(?:os\.environ\.get|env_bool|env_list|os\.environ\[)\(?\s*["']([A-Z0-9_]+)["']""")
REQUIRED_IN_PRODUCTION = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "PAYMENT_GATEWAY",
                          "PB_DOCUMENT_KEYS"}


def settings_variables() -> set[str]:
    names = set()
    for path in (ROOT / "plazabanten" / "settings").glob("*.py"):
        names |= set(READ.findall(path.read_text()))
    return names


def compose_variables() -> dict[str, set[str]]:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # resolves the <<: *app-env merges
    return {name: set(service.get("environment") or {}) for name, service in compose["services"].items()}


def test_every_variable_the_app_services_set_is_read_by_the_settings():
    known = settings_variables() | {"DJANGO_SETTINGS_MODULE"}
    for service in ("web", "worker", "beat"):
        unknown = compose_variables()[service] - known
        assert not unknown, f"{service} sets variables nothing reads: {sorted(unknown)}"


def test_every_required_production_variable_is_set_for_the_app_services():
    for service in ("web", "worker", "beat"):
        missing = REQUIRED_IN_PRODUCTION - compose_variables()[service]
        assert not missing, f"{service} lacks {sorted(missing)}"


def test_app_services_run_production_settings():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for service in ("web", "worker", "beat"):
        env = compose["services"][service]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "plazabanten.settings.production"


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_minio_credentials_have_no_default_and_must_come_from_the_environment():
    text = (ROOT / "docker-compose.yml").read_text()
    uses = re.findall(r"(?<!\$)\$\{(MINIO_ROOT_(?:USER|PASSWORD))([^}]*)\}", text)
    assert {name for name, _rest in uses} == {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"}
    assert all(rest.startswith(":?") for _name, rest in uses), uses  # compose refuses to start without them
    assert "plazabanten-secret" not in text
    services = compose()["services"]
    for name in ("minio", "minio-bucket"):
        assert set(services[name]["environment"]) >= {"MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"}


def test_migrations_run_once_in_a_one_shot_service_before_the_app_starts():
    services = compose()["services"]
    assert "migrate" in services["migrate"]["command"] and services["migrate"]["restart"] == "no"
    assert "migrate" not in services["migrate"]["depends_on"]
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in str(services[name]["command"]), name


def test_nginx_is_the_only_published_port_and_spreads_over_the_web_replicas():
    services = compose()["services"]
    published = {name: service["ports"] for name, service in services.items() if service.get("ports")}
    assert published == {"nginx": ["${PB_HTTP_PORT:-8000}:80"]}
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "server web:8000" in nginx and "proxy_next_upstream" in nginx and "client_max_body_size 25m" in nginx
    assert services["nginx"]["healthcheck"]["test"][-1].endswith("grep -q ' 200 '")


def test_anonymous_reads_have_a_streaming_replica_and_no_database_password_has_a_default():
    services = compose()["services"]
    for service in ("web", "worker", "beat"):
        env = services[service]["environment"]
        assert "@postgres-replica:5432/" in env["DATABASE_REPLICA_URL"]
        assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"] and "${POSTGRES_PASSWORD:?" in env["DATABASE_REPLICA_URL"]
    replica = services["postgres-replica"]
    assert "pg_basebackup -h postgres" in replica["command"] and "-R" in replica["command"]
    assert "pg_is_in_recovery" in replica["healthcheck"]["test"][-1]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")
    assert "host replication" in (ROOT / "deploy" / "postgres-replication.sh").read_text()


def test_the_app_image_is_built_from_the_dockerfile_without_the_local_state():
    # Compose v1 (Debian's docker-compose) has no dockerfile_inline: bench/compose.sh failed on it.
    for name in ("web", "worker", "beat", "migrate"):
        assert compose()["services"][name]["build"] == ".", name
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "\nFROM python:3.12-slim\n" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", ".git"} <= set(ignored)  # the embedded servers' data never goes into the image


def test_migrate_waits_for_the_bucket_its_migrations_walk():
    # privacy 0002 lists the private documents in the bucket: the first run failed with EndpointConnectionError.
    assert compose()["services"]["migrate"]["depends_on"]["minio-bucket"] == {
        "condition": "service_completed_successfully"}


def test_health_checks_ask_over_the_network_what_the_others_will_use():
    services = compose()["services"]
    assert "pg_isready -h 127.0.0.1" in services["postgres"]["healthcheck"]["test"][-1]  # not the init socket
    assert "inspect ping -d celery@$$HOSTNAME" in services["worker"]["healthcheck"]["test"][-1]


def test_web_and_nginx_health_checks_send_a_host_the_deployment_allows():
    # With ALLOWED_HOSTS=localhost the first run's web nodes answered their own check (Host 127.0.0.1) with a 400
    # DisallowedHost, stayed unhealthy, and nginx never started.
    services = compose()["services"]
    web = services["web"]["healthcheck"]["test"][-1]
    assert "/healthz" in web and "os.environ['ALLOWED_HOSTS'].split(',')[0]" in web
    nginx = services["nginx"]["healthcheck"]["test"][-1]
    assert "GET /healthz " in nginx and "Host: %s" in nginx and "$${ALLOWED_HOSTS%%,*}" in nginx  # no HTTPS redirect
    assert services["nginx"]["environment"]["ALLOWED_HOSTS"] == services["web"]["environment"]["ALLOWED_HOSTS"]


def test_nginx_keeps_the_forwarded_proto_a_tls_terminator_in_front_set():
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "map $http_x_forwarded_proto $forwarded_proto" in nginx
    assert "proxy_set_header X-Forwarded-Proto $forwarded_proto;" in nginx and "Proto $scheme;" not in nginx


COMPOSE_SECRETS = {"SECRET_KEY": "x" * 50, "PB_DOCUMENT_KEYS": "k", "POSTGRES_PASSWORD": "p",
                   "MINIO_ROOT_USER": "u", "MINIO_ROOT_PASSWORD": "p" * 8}


def docker_compose() -> list[str]:
    found = shutil.which("docker-compose")
    if not found:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose); bench/compose.sh runs it")
    return [found, "-f", str(ROOT / "docker-compose.yml")]


def test_docker_compose_accepts_the_file():
    env = {**os.environ, **COMPOSE_SECRETS}
    done = subprocess.run([*docker_compose(), "config", "-q"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("secret", sorted(COMPOSE_SECRETS))
def test_docker_compose_refuses_to_start_without_each_secret(secret):
    env = {name: value for name, value in {**os.environ, **COMPOSE_SECRETS}.items() if name != secret}
    done = subprocess.run([*docker_compose(), "config", "-q"], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and secret in done.stderr
