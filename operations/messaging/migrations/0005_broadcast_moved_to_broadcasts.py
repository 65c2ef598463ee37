# Hand-written: broadcasts now belong to the broadcasts app (its 0001 takes the model with
# its table). Here messaging's state lets go of the model and its foreign keys point at
# the new app's; the database is not touched, the tables and constraints stay as they are.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('broadcasts', '0001_initial'),
        ('messaging', '0004_message_for_account_activation_withdrawn_at'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='message',
                    name='broadcast',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='messages', to='broadcasts.broadcast'),
                ),
                migrations.AlterField(
                    model_name='delivery',
                    name='broadcast',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='deliveries', to='broadcasts.broadcast'),
                ),
                migrations.DeleteModel(
                    name='Broadcast',
                ),
            ],
            database_operations=[],
        ),
    ]
