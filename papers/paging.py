"""Id-first paging: a listing's page 5,000 costs about what its page 1 does.

Plain `OFFSET` paging makes the database build whole rows (a note joined with its topic and
paper) for every row it skips. Here a page is one query whose subquery picks the page's ids
alone, in the listing's order, with `LIMIT`/`OFFSET`: PostgreSQL walks the listing index
(`note_listing_idx` and friends) reading ids only, and builds the dozen rows of the page. The
subquery counts from the nearer end: for a page in the back half it reverses the order, so the
last page skips nothing and the middle page is the deepest. Page numbers, links and contents are
those of Django's `Paginator`.

The listing's ordering must be total (end in a unique column, as every model's `Meta.ordering`
here does), or the two ends could disagree about which rows tie.

The page's rows are loaded by `rows`, a queryset of the same model in the listing's order that
says what a row holds (`Note.objects.cards()`), filtered by the ids alone: the listing's own
filters, with their joins (a tag's tagged items), are applied once, in the subquery.
"""

from django.core.paginator import Paginator


class ListingPaginator(Paginator):
    """A `Paginator` over an ordered queryset that fetches each page's ids first (see above);
    `rows` loads them (by default the listing itself)."""

    def __init__(self, object_list, per_page, *args, rows=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.rows_queryset = object_list if rows is None else rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(self.rows(bottom, top), number, self)

    def rows(self, bottom, top):
        """Rows `bottom` to `top` (exclusive) of the listing, in its order: one query."""
        listing = self.object_list
        if bottom < self.count - top:
            ids = listing.values("pk")[bottom:top]
        else:
            ids = listing.reverse().values("pk")[self.count - top : self.count - bottom]
        return self.rows_queryset.filter(pk__in=ids)
