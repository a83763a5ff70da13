"""docker-compose.yml and the settings read the same environment variables."""

import re
from pathlib import Path

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
    assert published == {"nginx": ["8000:80"]}
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
