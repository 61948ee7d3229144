"""Id-first paging: a listing's page 5,000 costs about what its page 1 does.

Plain `OFFSET` paging makes the database build whole rows (a note joined with its topic and
paper) for every row it skips. Here a page is one query whose subquery picks the page's ids
alone, in the listing's order, with `LIMIT`/`OFFSET`: PostgreSQL walks the listing index
(`note_listing_idx` and friends) reading ids only, and builds the dozen rows of the page. The
subquery counts from the nearer end: for a page in the back half it reverses the order, so the
last page skips nothing and the middle page is the deepest. Page numbers, links and contents are
those of Django's `Paginator`.

Skipping ids still reads them: the middle page of 100,000 notes reads half the index. Given
`block_rows`, the paginator instead starts from a boundary: the sort values of every
`block_rows`-th row of the listing (`boundaries()`, one query with `row_number()`, which callers
keep per content version), so a page's subquery walks the index from the nearest boundary at or
before the page (a keyset condition on the sort columns) and skips fewer than `block_rows` ids.
This needs sort columns that are never NULL (a keyset comparison with NULL holds for no row).

The listing's ordering must be total (end in a unique column, as every model's `Meta.ordering`
here does), or the two ends could disagree about which rows tie.

The page's rows are loaded by `rows`, a queryset of the same model in the listing's order that
says what a row holds (`Note.objects.cards()`), filtered by the ids alone: the listing's own
filters, with their joins (a tag's tagged items), are applied once, in the subquery.
"""

from django.core.paginator import Paginator
from django.db.models import F, Q, Window
from django.db.models.functions import Mod, RowNumber


class ListingPaginator(Paginator):
    """A `Paginator` over an ordered queryset that fetches each page's ids first (see above);
    `rows` loads them (by default the listing itself); `block_rows` turns on boundaries."""

    def __init__(self, object_list, per_page, *args, rows=None, block_rows=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.rows_queryset = object_list if rows is None else rows
        self.block_rows = block_rows

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
        boundaries = self.boundaries() if self.block_rows and bottom >= self.block_rows else []
        # Fewer boundaries than the count implies only when notes became visible between
        # finding the one and the other: start from the last one found.
        block = min(bottom // self.block_rows, len(boundaries)) if boundaries else 0
        if block:
            skipped = block * self.block_rows
            ids = listing.filter(at_or_after(self.ordering(), boundaries[block - 1]))
            ids = ids.values("pk")
            ids = ids[bottom - skipped : top - skipped]
        elif bottom < self.count - top:
            ids = listing.values("pk")[bottom:top]
        else:
            ids = listing.reverse().values("pk")[self.count - top : self.count - bottom]
        return self.rows_queryset.filter(pk__in=ids)

    def ordering(self):
        """The listing's order as (field name, descending) pairs."""
        query = self.object_list.query
        fields = query.order_by or self.object_list.model._meta.ordering
        return [(field.lstrip("-"), field.startswith("-")) for field in fields]

    def boundaries(self):
        """The sort values of rows `block_rows`, 2 * `block_rows`, ... (counted from 0)."""
        names = [name for name, _descending in self.ordering()]
        order = [
            F(name).desc() if descending else F(name).asc() for name, descending in self.ordering()
        ]
        numbered = self.object_list.annotate(position=Window(RowNumber(), order_by=order)).alias(
            in_block=Mod(F("position") - 1, self.block_rows)
        )
        rows = numbered.filter(in_block=0, position__gt=1).values_list(*names)
        return [tuple(row) for row in rows]


def at_or_after(ordering, values):
    """A Q for the rows a listing in `ordering` lists at or after the row sorting at `values`.

    Its first term bounds the first sort column alone, which an index on it can seek to; the
    rest settles the ties.
    """
    (first, first_descending), first_value = ordering[0], values[0]
    condition = Q()
    tied = Q()
    for (name, descending), value in zip(ordering, values, strict=True):
        condition |= tied & Q(**{f"{name}__{'lt' if descending else 'gt'}": value})
        tied &= Q(**{name: value})
    bound = Q(**{f"{first}__{'lte' if first_descending else 'gte'}": first_value})
    return bound & (condition | tied)
