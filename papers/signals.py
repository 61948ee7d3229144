"""What papers announces besides Django's model signals."""

from django.dispatch import Signal

# Rows readers see changed without save() or delete() (a bulk import, a queryset update);
# whatever keeps copies of pages (notesite's page cache) drops them. Apps above papers send it
# for their own bulk writes too.
content_changed = Signal()
