from django.db import migrations


def create_the_row(apps, schema_editor):
    # The one row exists from the start, so that two first changes at once both update it.
    apps.get_model("core", "ContentVersion").objects.get_or_create(pk=1, defaults={"value": 0})


class Migration(migrations.Migration):
    dependencies = [("core", "0001_content_version")]

    operations = [migrations.RunPython(create_the_row, migrations.RunPython.noop)]
