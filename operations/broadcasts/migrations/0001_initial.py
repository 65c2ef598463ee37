# Hand-written: broadcasts move from the messaging app into an app of their own. Nothing
# changes in the database but the content type's app label: the model keeps its table
# (`db_table`), and with it the tables of its estates, buildings and units, its rows and
# the foreign keys that point at it (messaging's `Message.broadcast`, `Delivery.broadcast`,
# repointed in messaging's 0005). Groups hold their broadcast permissions by row, so they
# keep them, now named `broadcasts.add_broadcast` and so on.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _move_content_type(apps, schema_editor, *, source, target):
    """Point the broadcast's content type (and with it its permissions, and Wagtail's history
    of it) from the app `source` to the app `target`."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    moving = ContentType.objects.using(db).filter(app_label=source, model="broadcast").first()
    if moving is None:
        return  # a new database: post_migrate makes the content type later
    existing = ContentType.objects.using(db).filter(app_label=target, model="broadcast").first()
    if existing is None:
        moving.app_label = target
        moving.save(update_fields=["app_label"])
        return
    # Both exist (post_migrate ran in between): the grants move to the target's permissions
    # and the history (Wagtail's, and the Django admin's where installed) to the target;
    # the old content type stays, stale and harmless (`remove_stale_contenttypes`).
    for app_label, model_name in (("wagtailcore", "ModelLogEntry"), ("admin", "LogEntry")):
        try:
            entries = apps.get_model(app_label, model_name)
        except LookupError:
            continue  # not installed
        entries.objects.using(db).filter(content_type=moving).update(content_type=existing)
    for permission in Permission.objects.using(db).filter(content_type=moving):
        twin = Permission.objects.using(db).filter(content_type=existing, codename=permission.codename).first()
        if twin is None:
            permission.content_type = existing
            permission.save(update_fields=["content_type"])
        else:
            twin.group_set.add(*permission.group_set.all())
            twin.user_set.add(*permission.user_set.all())
            permission.delete()


def content_type_to_broadcasts(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="messaging", target="broadcasts")


def content_type_to_messaging(apps, schema_editor):
    _move_content_type(apps, schema_editor, source="broadcasts", target="messaging")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('wagtailcore', '0063_modellogentry'),
        ('messaging', '0004_message_for_account_activation_withdrawn_at'),
        ('news', '0002_initial'),
        ('residents', '0002_membership_ended_by_sign_in_inactive'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Broadcast',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(help_text='For staff; residents see the subject.', max_length=200, verbose_name='title')),
                        ('kind', models.CharField(choices=[('outage_alert', 'outage alerts'), ('announcement', 'announcements'), ('survey_reminder', 'surveys and votes'), ('offers', 'offers and newsletter')], default='announcement', max_length=40, verbose_name='kind')),
                        ('subject', models.CharField(max_length=200, verbose_name='subject')),
                        ('body', models.TextField(verbose_name='text')),
                        ('sms_text', models.TextField(blank=True, help_text='Also used for app notifications.', verbose_name='SMS text')),
                        ('subject_en', models.CharField(blank=True, max_length=200, verbose_name='subject (English)')),
                        ('body_en', models.TextField(blank=True, verbose_name='text (English)')),
                        ('sms_text_en', models.TextField(blank=True, verbose_name='SMS text (English)')),
                        ('link', models.URLField(blank=True, help_text='Where the message leads, e.g. the news item.', verbose_name='link')),
                        ('everyone', models.BooleanField(default=False, verbose_name='all residents')),
                        ('roles', models.JSONField(blank=True, default=list, verbose_name='roles')),
                        ('announces_news', models.BooleanField(default=False, editable=False)),
                        ('channels', models.JSONField(default=list, verbose_name='channels')),
                        ('send_at', models.DateTimeField(blank=True, null=True, verbose_name='send at')),
                        ('status', models.CharField(choices=[('draft', 'draft'), ('scheduled', 'scheduled'), ('sending', 'sending'), ('sent', 'sent'), ('cancelled', 'cancelled')], default='draft', max_length=20, verbose_name='status')),
                        ('recipient_count', models.PositiveIntegerField(default=0, verbose_name='recipients')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('queued_at', models.DateTimeField(blank=True, null=True, verbose_name='queued at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('buildings', models.ManyToManyField(blank=True, related_name='+', to='residents.building', verbose_name='buildings')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('estates', models.ManyToManyField(blank=True, related_name='+', to='residents.estate', verbose_name='estates')),
                        ('news_page', models.ForeignKey(blank=True, help_text='Recipients are limited to the people who may read this news item.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='broadcasts', to='news.newspage', verbose_name='news item')),
                        ('units', models.ManyToManyField(blank=True, related_name='+', to='residents.unit', verbose_name='units')),
                    ],
                    options={
                        'verbose_name': 'broadcast',
                        'verbose_name_plural': 'broadcasts',
                        'db_table': 'messaging_broadcast',
                        'ordering': ['-created_at'],
                        'permissions': [('send_broadcast', 'Can send broadcasts')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_broadcasts, content_type_to_messaging),
    ]
