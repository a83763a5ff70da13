"""Bad set-up gets a sentence, not a traceback."""

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(command, **env):
    environment = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment.update(env)
    return subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120,
                          check=False)


def test_production_settings_refuse_embedded_defaults_and_missing_secret():
    result = run([sys.executable, "manage.py", "check"], DJANGO_SETTINGS_MODULE="plazabanten.settings.production",
                 DATABASE_URL="", REDIS_URL="", SECRET_KEY="", ALLOWED_HOSTS="", PB_DOCUMENT_KEYS="")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in output and "DATABASE_URL is not set" in output
    assert "REDIS_URL is not set" in output and "PAYMENT_GATEWAY is 'sandbox'" in output
    assert "PB_DOCUMENT_KEYS is not set" in output
    assert "Traceback" not in output


def test_production_settings_pass_with_real_services(settings):
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                 DJANGO_SETTINGS_MODULE="plazabanten.settings.production",
                 DATABASE_URL=settings.DATABASE_URL, REDIS_URL=settings.REDIS_URL,
                 SECRET_KEY="x" * 60 + "production-secret-value-with-enough-entropy",
                 PB_DOCUMENT_KEYS="dGVzdC1vbmx5LWZlcm5ldC1rZXktMzItYnl0ZXMtISE=",
                 ALLOWED_HOSTS="plaza.bantenprov.go.id", PAYMENT_GATEWAY="midtrans", EMAIL_BACKEND="",
                 AWS_STORAGE_BUCKET_NAME="plazabanten-media", AWS_S3_CUSTOM_DOMAIN="media.plaza.bantenprov.go.id",
                 MIDTRANS_SERVER_KEY="Mid-server-production-key-from-the-dashboard")
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_warns_when_media_share_the_apps_origin(settings):
    production = dict(DJANGO_SETTINGS_MODULE="plazabanten.settings.production", DATABASE_URL=settings.DATABASE_URL,
                      REDIS_URL=settings.REDIS_URL, SECRET_KEY="x" * 60 + "production-secret-value-with-enough-entropy",
                      ALLOWED_HOSTS="plaza.bantenprov.go.id", PAYMENT_GATEWAY="midtrans", EMAIL_BACKEND="",
                      MIDTRANS_SERVER_KEY="Mid-server-production-key-from-the-dashboard")
    for media in ({"AWS_STORAGE_BUCKET_NAME": ""},
                  {"AWS_STORAGE_BUCKET_NAME": "media", "AWS_S3_CUSTOM_DOMAIN": "plaza.bantenprov.go.id/media"}):
        result = run([sys.executable, "manage.py", "check", "--deploy"], **production, **media)
        assert "plazabanten.W001" in result.stdout + result.stderr, media
    result = run([sys.executable, "manage.py", "check", "--deploy"], **production, AWS_STORAGE_BUCKET_NAME="media",
                 AWS_S3_CUSTOM_DOMAIN="media.plaza.bantenprov.go.id")
    assert "plazabanten.W001" not in result.stdout + result.stderr


def test_unreachable_database_url_is_a_clear_message():
    result = run([sys.executable, "manage.py", "check_services"], DATABASE_URL="postgres://postgres@127.0.0.1:1/nope",
                 REDIS_URL="redis://127.0.0.1:1/0", DJANGO_SETTINGS_MODULE="plazabanten.settings.local")
    assert result.returncode == 1
    assert "Cannot reach the database at 127.0.0.1:1/nope" in result.stderr
    assert "Traceback" not in result.stderr


def test_run_command_says_how_to_choose_another_port_when_taken():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(["bash", "bin/run"], PORT=str(port))
    assert result.returncode == 1
    assert f"Port {port} is already in use" in result.stderr and "PORT=8080 bin/run" in result.stderr


def test_setup_without_python_312_says_what_to_install(tmp_path):
    # Only the system python (3.11 on this machine kind) and no pyenv: the set-up must refuse with a message.
    system = subprocess.run(["/usr/bin/python3", "-c", "import sys; print(sys.version_info >= (3, 12))"],
                            capture_output=True, text=True, check=False)
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    if system.stdout.strip() != "False":  # a newer system Python: simulate one that is too old
        (fake_bin / "python3").write_text("#!/bin/sh\nexit 1\n")
        (fake_bin / "python3").chmod(0o755)
    script = f'source bin/setup; VENV="{tmp_path}/venv"; setup_python run'
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True, check=False,
                            env={"PATH": f"{fake_bin}:/usr/bin:/bin", "PYENV_ROOT": str(tmp_path / "nopyenv"),
                                 "HOME": str(tmp_path)})
    assert result.returncode == 1
    assert "needs Python 3.12 or newer" in result.stderr
