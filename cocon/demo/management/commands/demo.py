"""`demo load [--if-empty]` and `demo accounts`: the demo territory for a first visit."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from cocon.accounts.models import User
from cocon.demo import data
from cocon.demo.loader import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from cocon.territory.models import Territory


class Command(BaseCommand):
    help = (
        "Données de démonstration : « demo load » charge le territoire, "
        "« demo accounts » affiche les comptes."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,accounts}")
        load = actions.add_parser(
            "load", help="Charger le territoire de démonstration (idempotent)."
        )
        load.add_argument(
            "--if-empty",
            action="store_true",
            help="Ne rien charger si la base contient déjà un territoire.",
        )
        actions.add_parser("accounts", help="Afficher les comptes de démonstration.")

    def handle(self, *args, **options):
        if options["action"] == "load":
            self.load(if_empty=options.get("if_empty", False))
        else:
            self.accounts()

    def load(self, *, if_empty: bool) -> None:
        if if_empty and Territory.objects.exists():
            self.stdout.write(
                "Des données existent déjà (data already exists) : rien n'est chargé."
            )
            return
        summary = load_demo()
        if summary["created"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Démonstration chargée (demo loaded) : « {summary['territory']} », "
                    f"{summary['communes']} communes, {summary['population']} habitants, "
                    f"{summary['organizations']} organisations, {summary['services']} services, "
                    f"{summary['users']} comptes, {summary.get('voices', 0)} paroles."
                )
            )
        else:
            self.stdout.write(
                f"La démonstration est déjà chargée (demo already loaded) : "
                f"« {summary['territory']} »."
            )

    def accounts(self) -> None:
        if not Territory.objects.filter(slug=data.TERRITORY_SLUG).exists():
            self.stdout.write(
                "La démonstration n'est pas chargée (demo not loaded). "
                "Lancez d'abord : cocon demo load"
            )
            return
        site = getattr(settings, "SITE_URL", "http://127.0.0.1:8000")
        names = dict(
            User.objects.filter(email__in=[email for _label, email in DEMO_ACCOUNTS]).values_list(
                "email", "full_name"
            )
        )
        rows = [("Rôle (role)", "Nom (name)", "E-mail", "Mot de passe (password)")]
        rows += [
            (label, names.get(email, "— absent (missing) —"), email, DEMO_PASSWORD)
            for label, email in DEMO_ACCOUNTS
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        self.stdout.write(
            self.style.SUCCESS(
                f"Comptes de démonstration (demo accounts) — mot de passe : {DEMO_PASSWORD}"
            )
        )
        self.stdout.write(f"Adresse (URL) : {site}")
        self.stdout.write("")
        for line in lines:
            self.stdout.write(line.rstrip())
        from cocon.demo.voices_loader import DEMO_TRACKING_CODE
        from cocon.voices.models import Voice

        sample = Voice.objects.filter(
            territory__slug=data.TERRITORY_SLUG, status="answered"
        ).first()
        if sample is not None:
            self.stdout.write("")
            self.stdout.write(
                f"Suivi d'une parole (tracking a voice) : {site}/paroles/suivi/"
                f"{sample.reference}/?code={DEMO_TRACKING_CODE} — toutes les paroles de "
                f"démonstration ont le code {DEMO_TRACKING_CODE} (every demo voice has this code)."
            )
