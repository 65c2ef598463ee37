# Hand-written: two fields that let messaging keep its promises without reading other
# apps' tables (the broadcasts and residents apps).

from django.db import migrations, models
from django.utils import timezone


def mark_account_activation_emails(apps, schema_editor):
    """Confirmation e-mails already in the outbox keep reaching their inactive accounts."""
    Message = apps.get_model("messaging", "Message")
    Message.objects.filter(kind="account", dedupe_key__startswith="account-confirm:").update(
        for_account_activation=True
    )


def withdraw_messages_of_cancelled_broadcasts(apps, schema_editor):
    """Nothing of a broadcast cancelled before now is ever sent (sending checks withdrawn_at)."""
    Message = apps.get_model("messaging", "Message")
    Message.objects.filter(broadcast__status="cancelled", withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0003_message_in_inbox'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='for_account_activation',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name='message',
            name='withdrawn_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_account_activation_emails, migrations.RunPython.noop),
        migrations.RunPython(withdraw_messages_of_cancelled_broadcasts, migrations.RunPython.noop),
    ]
