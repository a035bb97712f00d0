"""The party search text and the index that finds fragments of it (kenal.parties.search)."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models, transaction

import kenal.parties.models
from kenal.parties.search import install_sql, uninstall_sql


def _pg_trgm(schema_editor) -> None:
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone():
            return
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as error:  # noqa: BLE001 - reworded for the person installing Kenal
            name = connection.settings_dict.get("NAME")
            raise RuntimeError(
                "Kenal's party search needs the PostgreSQL extension pg_trgm, and this database user "
                f"cannot create it ({error}). Ask a superuser of the server to run, in the database "
                f"{name!r}:  CREATE EXTENSION pg_trgm;  (on Debian the extension comes with the "
                "postgresql-contrib files), then run the migration again."
            ) from None


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        _pg_trgm(schema_editor)
    for statement in install_sql(vendor):
        schema_editor.execute(statement, params=None)


def uninstall(apps, schema_editor) -> None:
    for statement in uninstall_sql(schema_editor.connection.vendor):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("parties", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="PartySearch",
            fields=[
                (
                    "party",
                    models.OneToOneField(
                        db_column="rowid", db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True, related_name="search", serialize=False, to="parties.party",
                    ),
                ),
                ("body", kenal.parties.models.SearchText()),
            ],
            options={"db_table": "parties_partysearch", "managed": False},
        ),
        migrations.RunPython(install, uninstall),
    ]
