"""Adjustments get a note for the client, kept apart from finance's internal reason.

Adjustments requested before this have none: the client pages then show no note for them.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("settlements", "0008_calendar_years")]

    operations = [
        migrations.AddField(
            model_name="adjustment",
            name="client_note",
            field=models.CharField(
                default="",
                help_text="Shown to the client once approved; the reason stays internal.",
                max_length=300,
                verbose_name="note for the client",
            ),
            preserve_default=False,
        ),
    ]
