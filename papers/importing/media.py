"""Images copied into media storage once the run has committed."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def store_images(images):
    """Copy images into media storage, keeping a stored copy with the same content."""
    for source, name in images:
        data = source.read_bytes()
        if default_storage.exists(name):
            with default_storage.open(name) as stored:
                if stored.read() == data:
                    continue
            default_storage.delete(name)
        default_storage.save(name, ContentFile(data))
