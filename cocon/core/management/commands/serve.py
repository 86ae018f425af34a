"""`cocon serve`: the production server (gunicorn; static files by whitenoise)."""

from __future__ import annotations

import multiprocessing
import os

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Cocon with gunicorn (production-grade). Static files are served by whitenoise."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count()))),
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 4)))
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip collectstatic (when the deployment already ran it).",
        )

    def handle(self, *args, host, port, workers, threads, no_collectstatic, **options):
        from gunicorn.app.base import BaseApplication

        from cocon.wsgi import application

        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)

        class Server(BaseApplication):
            def load_config(self):
                self.cfg.set("bind", f"{host}:{port}")
                self.cfg.set("workers", workers)
                self.cfg.set("threads", threads)
                self.cfg.set("worker_class", "gthread")
                self.cfg.set("timeout", 60)
                self.cfg.set("graceful_timeout", 20)
                self.cfg.set("accesslog", None)  # Cocon logs each request itself (JSON)
                self.cfg.set("errorlog", "-")
                self.cfg.set(
                    "forwarded_allow_ips", os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
                )

            def load(self):
                return application

        self.stdout.write(f"Cocon on http://{host}:{port}/ ({workers} workers × {threads} threads)")
        Server().run()
