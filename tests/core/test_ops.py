"""Operations: health check, settings from the environment, deploy check, headers, logs,
the email outbox."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import mail

from cocon.core.envtools import parse_email_url
from cocon.core.logs import JsonFormatter
from cocon.core.models import OutboxEmail
from cocon.core.outbox import deliver, deliver_due, queue_email

ROOT = Path(__file__).parents[2]


@pytest.mark.django_db
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "migrations": "ok"}


@pytest.mark.django_db
def test_healthz_reports_database_failure(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, sql, params=None):
        raise RuntimeError("down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"].startswith("error")


@pytest.mark.django_db
def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Request-ID"]


@pytest.mark.django_db
def test_csrf_is_enforced(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/compte/connexion/", {"email": "a@b.fr", "password": "x"})
    assert response.status_code == 403


def test_email_url_parsing():
    smtp = parse_email_url("smtp://user%40x:p%2Fw@mail.example.org:587?tls=1")
    assert smtp["EMAIL_HOST"] == "mail.example.org" and smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "user@x" and smtp["EMAIL_HOST_PASSWORD"] == "p/w"
    assert smtp["EMAIL_USE_TLS"] is True and smtp["EMAIL_USE_SSL"] is False
    assert parse_email_url("smtps://h")["EMAIL_PORT"] == 465
    assert parse_email_url("file:///tmp/mails")["EMAIL_FILE_PATH"] == "/tmp/mails"
    assert parse_email_url("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    with pytest.raises(ValueError):
        parse_email_url("pigeon://loft")


def test_json_logs():
    record = logging.makeLogRecord(
        {
            "name": "cocon.x",
            "levelname": "INFO",
            "msg": "hello %s",
            "args": ("world",),
            "status": 200,
        }
    )
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello world" and line["status"] == 200
    assert line["level"] == "info" and line["time"].endswith("+00:00")


def _run_cocon(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "COCON_"))}
    env.pop("DATABASE_URL", None)
    env.update({"COCON_DATA_DIR": str(tmp_path), **env_extra})
    return subprocess.run(
        [sys.executable, "-m", "cocon.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_with_production_variables(tmp_path):
    result = _run_cocon(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "SECRET_KEY": "x" * 20 + "-Q8v#pL2m!Zr7sK0wN4yT6uB9eH3jF5aD1gC",
            "ALLOWED_HOSTS": "cocon.example.fr",
            "COCON_HTTPS": "true",
            "DEBUG": "false",
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_without_https(tmp_path):
    result = _run_cocon(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "SECRET_KEY": "x" * 20 + "-Q8v#pL2m!Zr7sK0wN4yT6uB9eH3jF5aD1gC",
            "ALLOWED_HOSTS": "cocon.example.fr",
        },
        tmp_path,
    )
    assert result.returncode != 0
    assert "SECURE_SSL_REDIRECT" in result.stdout + result.stderr


def test_secret_key_is_generated_once_in_the_data_dir(tmp_path):
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY",)}
    env.update({"COCON_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "cocon.settings"})
    keys = [
        subprocess.run(
            [sys.executable, "-c", f"import django; django.setup(); {code}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for _ in range(2)
    ]
    assert keys[0] == keys[1] and len(keys[0].strip()) > 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


class TestOutbox:
    @pytest.mark.django_db
    def test_email_is_sent_after_commit(self, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            email = queue_email(to="a@b.fr", subject="Objet", body="Corps")
            assert len(mail.outbox) == 0  # not before the commit
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@b.fr"]
        email.refresh_from_db()
        assert email.status == "sent" and email.sent_at

    @pytest.mark.django_db(transaction=True)
    def test_rolled_back_change_sends_nothing(self):
        from django.db import transaction

        with pytest.raises(RuntimeError), transaction.atomic():
            queue_email(to="a@b.fr", subject="Objet", body="Corps")
            raise RuntimeError("the change failed")
        assert not OutboxEmail.objects.exists() and len(mail.outbox) == 0

    @pytest.mark.django_db
    def test_failure_is_retried_later(self, monkeypatch):
        from django.core.mail import EmailMultiAlternatives

        email = OutboxEmail.objects.create(to=["a@b.fr"], subject="S", body="B")

        def boom(self, fail_silently=False):
            raise ConnectionRefusedError("smtp down")

        monkeypatch.setattr(EmailMultiAlternatives, "send", boom)
        assert deliver(email.pk) is False
        email.refresh_from_db()
        assert email.status == "pending" and email.attempts == 1
        assert "smtp down" in email.last_error
        monkeypatch.undo()
        OutboxEmail.objects.filter(pk=email.pk).update(next_attempt_at=email.created_at)
        assert deliver_due() == (1, 0)
        email.refresh_from_db()
        assert email.status == "sent" and len(mail.outbox) == 1
