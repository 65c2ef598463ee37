from django.db.models.signals import post_save
from django.dispatch import receiver
from wagtail.images import get_image_model

from cms.core.tasks import render_image_sizes_after_commit


@receiver(post_save, sender=get_image_model())
def render_sizes_of_new_image(sender, instance, created, **kwargs):
    if created and not kwargs.get("raw"):
        render_image_sizes_after_commit(instance.pk)
