from . import viewcounts


class NoteViewsMiddleware:
    """Count a view of the note a response names in `X-Note-View`, and drop the header.

    The note view names its note, and the page cache keeps the header with the page, so a
    view is counted whether the page was rendered or came from the cache. HEAD is not a view.
    """

    header = "X-Note-View"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        note_id = response.get(self.header)
        if note_id is None:
            return response
        del response[self.header]
        if request.method == "GET":
            viewcounts.record_view(int(note_id))
        return response
