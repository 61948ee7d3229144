"""Everything notesite keeps in Django's cache to answer readers faster, and what makes it stale.

Where things are:

- `versions`: the content version, a random token in the cache that every kept copy is stamped
  with. `changed()` draws a new one once the writer's transaction commits; a scheduled note
  draws one when its time comes.
- `pages`: whole pages for every reader but staff (the page cache middleware), with the
  per-request parts (CSRF token, comment form time and hash) and a signed-in reader's own parts
  (account links, the comment form's name, edit links) filled in on every response.
- `personal`: pages kept for one signed-in reader each (a note's annotations JSON, the search
  page: they list the reader's private annotations), `<page key>:reader:<pk>:zlib` for 300 s,
  stamped with the content version and the readers version.
- `memory`: the pages each process served last, and the content version it learns by Redis
  pub/sub, so that a hit makes no round trip; and the note cards it read or rendered last.
- `readers`: the signed-in readers each process knows (session key -> name and pk), stamped
  with a readers version that logouts, sessions with more than a login (`sessions`, the
  session engine), users or profiles saved, and private annotation writes (`personal.changed`)
  replace, so their hits need no SQL either.
- `fragments`: parts of pages kept per version, by key: `count:<listing>`,
  `page:<row fields>:<listing>:<number>` (a listing page's count and rows, their view
  counters at most VIEW_COUNT_FLUSH_SECONDS old), `boundaries:<listing>`, `topic-tree`,
  `topics`, `months`, `comments:<note>`, `annotations:<note>`,
  `card:<version>:<note>:<counters>`, `search-results:<query>:<number>` (a page of search
  results, counters as a listing page's), `annotation-hits:<query>` (the search page's
  annotations as readers who are not signed in see them).
- `rankings`: search rankings, `search:<query>`, stamped not with the content version but with
  a search generation that only note writes advance, each recording the notes it changed
  (`search-changes:<n>`), so that a kept ranking is brought forward by ranking those alone.
- `backend`: the Redis cache backend (one client per pool; Redis down is a cache that misses).

Besides copies of pages, the cache holds counters that are not copies and never go stale by
version: rate limits (accounts.limits, annotations.abuse) and note views waiting to be written
(papers.viewcounts).

What makes every copy stale (calls `versions.changed()`), and nothing else does:

- papers.writes, the one write path for notes: a note, paper, topic or tag saved or deleted,
  a note's tags changed, an import, the admin's actions;
- papers.search.rebuild_index: the search index rebuilt;
- annotations.passages: a public annotation created, edited or deleted, or one made private or
  public; annotations.replies: a reply created, edited or deleted;
  annotations.annotation_moderation: a public annotation or reply hidden or shown again;
- annotations.moderation: a comment posted public, edited while public, moderated to or from
  public (or a hidden one that keeps public replies), deleted while public;
- annotations.names: a user or profile saved, or a user deleted, who has a public comment or
  annotation (their name shows beside it).

So a private annotation, a comment waiting for moderation, a sign-up, a login, a new password or
email, or a profile of a reader with nothing public leave every shared cached page as it was.
The pages kept per reader are stale after those that replace the readers version: a private
annotation (or a reply only its readers see) created, edited, hidden or deleted
(`personal.changed`, which annotations.passages, annotations.replies and
annotations.annotation_moderation call for every write, public or not), and a user or profile
saved.
"""
