"""Idempotency keys of every writer (REST API tokens, offline field capture, Open311
clients) in one table, scoped by a string instead of a token foreign key."""

from django.db import migrations, models


def token_to_scope(apps, schema_editor):
    IdempotencyKey = apps.get_model("api", "IdempotencyKey")
    for row in IdempotencyKey.objects.exclude(token_id=None).only("pk", "token_id"):
        IdempotencyKey.objects.filter(pk=row.pk).update(scope=f"token:{row.token_id}")


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_idempotencykey"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="idempotencykey", name="one_request_per_key"),
        migrations.AddField(
            model_name="idempotencykey",
            name="scope",
            field=models.CharField(default="", max_length=40),
            preserve_default=False,
        ),
        migrations.RunPython(token_to_scope, migrations.RunPython.noop),
        migrations.RemoveField(model_name="idempotencykey", name="token"),
        migrations.AddConstraint(
            model_name="idempotencykey",
            constraint=models.UniqueConstraint(
                fields=("scope", "key"), name="one_request_per_scope_key"
            ),
        ),
    ]
