from django.contrib import messages
from django.utils.html import format_html


def tell(model_admin, request, notices):
    """Show the write path's notices (papers.writes.Notice) as warnings, with their links."""
    for notice in notices:
        message = format_html('{} <a href="{}">查看</a>', notice.message, notice.url)
        model_admin.message_user(
            request, message if notice.url else notice.message, messages.WARNING
        )
