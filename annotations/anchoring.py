"""Where an annotation's passage is in a note's plain text, and where it went after an edit.

A passage is stored as a W3C Web Annotation selector pair, one dict with five keys:
TextQuoteSelector (`exact`, and up to `CONTEXT_LENGTH` characters of `prefix` / `suffix`) and
TextPositionSelector (`start`, `end`), offsets in Unicode code points (Python `str` indexing)
over `papers.rendering.plain_text` of the note body.

`anchor(text, selector)` finds the passage in `text`, trying in order:
1. the stored position, when the text there still equals `exact`;
2. exact occurrences of `exact`, told apart by how much of the stored prefix and suffix agree
   with their surroundings, then by closeness to the stored position;
3. an approximate match (edit distance, Myers' bit-parallel algorithm) whose similarity
   (1 - errors / len(exact)) is at least `FUZZY_THRESHOLD` and whose context agrees, told
   apart the same way;
4. otherwise None: the passage is orphaned.
`find_again(text, selector)` looks for an orphan by step 2 alone.
Guessing is worse than orphaning, so a candidate must be credible (a long exact quote, or one
whose context agrees) and clearly better than the next one (`AMBIGUITY_MARGIN`), else None.

`reanchor(old_text, new_text, selectors)` computes one diff of the edit (`diff`:
diff-match-patch by lines, then clauses, then characters inside changed clauses) and maps each
passage the edit did not touch through it; only touched passages (or ones whose mapped text is
no longer their credible words) go through `anchor`, with the mapped position as the hint and
the approximate search limited to a window around it (`FUZZY_WINDOW`).

Both are pure and deterministic: no time-outs (diff-match-patch's are switched off), no I/O.
"""

import re
from bisect import bisect_right

from diff_match_patch import diff_match_patch

CONTEXT_LENGTH = 32
# An exact quote this long is trusted alone, even where its context changed (a moved passage);
# a shorter one needs MIN_CONTEXT_AGREEMENT characters of agreeing prefix + suffix.
MIN_STANDALONE_LENGTH = 12
MIN_CONTEXT_AGREEMENT = 8
# An approximate match: at least this similar, at least this long, and its context must agree
# (an edited passage that also moved is an orphan: the words and the place both changed).
# tests/annotations/test_anchoring.py shows why 0.75: typo fixes and changed words keep a
# passage above it; across the demo notes, the best approximate match of a 40-character
# passage in other notes (text it was not taken from) stays below it.
FUZZY_THRESHOLD = 0.75
MIN_FUZZY_LENGTH = 10
# Two candidates whose scores (agreeing context characters, minus 2 per edit) differ by less
# than this are "about the same": closeness to the old position must then decide, clearly.
AMBIGUITY_MARGIN = 4
ERROR_WEIGHT = 2
# reanchor's approximate search: this many characters either side of the mapped passage.
FUZZY_WINDOW = 2000
# `diff` compares characters only inside changed clauses up to this long, and only until the
# old × new sizes it compared (characters, or clauses for lists of clauses) add up to
# DIFF_BUDGET, about a tenth of a second of pure-Python diffing. Beyond, changed stretches stay
# deleted and inserted whole (paragraphs reordered, sections rewritten) and their passages go
# through `anchor`.
CHAR_DIFF_LIMIT = 500
DIFF_BUDGET = 500_000
# Where a clause ends: after CJK or ASCII sentence and clause punctuation, or a line break.
CLAUSE_END = re.compile(r"(?<=[。!?;,、:!?;\n])|(?<=[.,;:] )")


def selector_at(text, start, end):
    """The five-key selector of `text[start:end]`, with its context."""
    return {
        "exact": text[start:end],
        "prefix": text[max(0, start - CONTEXT_LENGTH) : start],
        "suffix": text[end : end + CONTEXT_LENGTH],
        "start": start,
        "end": end,
    }


# --- anchor ------------------------------------------------------------------------------------


def anchor(text, selector):
    """(start, end) of the selector's passage in `text`, or None when it is gone."""
    return _anchor(text, selector, window=None)


def find_again(text, selector):
    """(start, end) of an orphan's passage in `text`, or None: an exact occurrence of its words,
    credible and clearly best by context (step 2 of `anchor`). Not by its stored position, which
    belongs to a text that no longer exists, and not approximately: orphans pile up over edits,
    and every save would search the whole text for each."""
    exact = selector["exact"]
    if not exact:
        return None
    candidates = [(start, start + len(exact), 0) for start in _occurrences(text, exact)]
    if not candidates:
        return None
    found = _choose(text, selector, candidates, selector.get("start"))
    return None if found is _NONE_CREDIBLE else found


def _anchor(text, selector, window, trust_position=True):
    exact = selector["exact"]
    if not exact:
        return None
    start, end = selector.get("start"), selector.get("end")
    if (
        trust_position
        and isinstance(start, int)
        and isinstance(end, int)
        and 0 <= start <= end <= len(text)
        and text[start:end] == exact
    ):
        return start, end
    hint = start if isinstance(start, int) else None

    occurrences = list(_occurrences(text, exact))
    if occurrences:
        found = _choose(text, selector, [(s, s + len(exact), 0) for s in occurrences], hint)
        if found is not _NONE_CREDIBLE:
            return found

    if len(exact) < MIN_FUZZY_LENGTH:
        return None
    offset, haystack = 0, text
    if window is not None and hint is not None:
        offset = max(0, hint - window)
        haystack = text[offset : hint + len(exact) + window]
    candidates = [
        _best_in_cluster(text, selector, [(s + offset, e + offset, k) for s, e, k in cluster])
        for cluster in _fuzzy_matches(haystack, exact)
    ]
    found = _choose(text, selector, candidates, hint)
    return None if found is _NONE_CREDIBLE else found


def _occurrences(text, exact):
    position = text.find(exact)
    while position != -1:
        yield position
        position = text.find(exact, position + 1)


_NONE_CREDIBLE = object()


def credible(text, selector, start, end, errors=0):
    """An exact quote long enough to stand alone, or a passage whose stored context agrees
    enough with the text around it (always required of an approximate match)."""
    if errors == 0 and len(selector["exact"]) >= MIN_STANDALONE_LENGTH:
        return True
    return context_agreement(text, selector, start, end) >= _wanted_context(selector)


def _wanted_context(selector):
    stored = len(selector.get("prefix") or "") + len(selector.get("suffix") or "")
    return min(MIN_CONTEXT_AGREEMENT, stored)


def context_agreement(text, selector, start, end):
    """How many characters of the stored prefix and suffix agree with those around start:end."""
    prefix, suffix = selector.get("prefix") or "", selector.get("suffix") or ""
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    return _common_length(prefix[::-1], before[::-1]) + _common_length(suffix, after)


def _common_length(a, b):
    """How many characters `a` and `b` share at their start."""
    length = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        length += 1
    return length


def _choose(text, selector, candidates, hint):
    """The one credible, clearly best candidate; None when several tie; _NONE_CREDIBLE if none.

    A candidate is (start, end, errors). Credible: long enough for its kind, or enough agreeing
    context. Best: most agreeing context minus ERROR_WEIGHT per error; within AMBIGUITY_MARGIN
    of the best, the one nearest the old position wins only when the next is twice as far.
    """
    scored = [
        (context_agreement(text, selector, start, end) - ERROR_WEIGHT * errors, start, end)
        for start, end, errors in candidates
        if credible(text, selector, start, end, errors)
    ]
    if not scored:
        return _NONE_CREDIBLE
    best = max(score for score, _, _ in scored)
    close = [(start, end) for score, start, end in scored if best - score < AMBIGUITY_MARGIN]
    if len(close) == 1:
        return close[0]
    if hint is None:
        return None
    close.sort(key=lambda span: (abs(span[0] - hint), span[0]))
    nearest, second = (abs(span[0] - hint) for span in close[:2])
    return close[0] if 2 * nearest < second else None


def _fuzzy_matches(text, pattern):
    """The best approximate occurrences of `pattern` in `text`, as clusters of (start, end,
    errors): the ends of one occurrence that are equally good.

    Only matches with at most (1 - FUZZY_THRESHOLD) * len(pattern) errors, and of those the ones
    within one error of the best; end positions closer than half the pattern are one occurrence,
    of which the ends with its fewest errors are kept (a passage that grew by a word matches
    as well ending before the word as after it: its context tells them apart).
    """
    m = len(pattern)
    limit = int(m * (1 - FUZZY_THRESHOLD) + 1e-9)
    ends = [(j, k) for j, k in _myers_search(text, pattern) if k <= limit]
    if not ends:
        return []
    best = min(k for _, k in ends)
    ends = [(j, k) for j, k in ends if k <= best + 1]
    clusters = []
    for j, k in ends:
        if clusters and j - clusters[-1][-1][0] <= m // 2:
            clusters[-1].append((j, k))
        else:
            clusters.append([(j, k)])
    matches = []
    for cluster in clusters:
        fewest = min(k for _, k in cluster)
        matches.append(
            [(_match_start(text, pattern, j + 1, k), j + 1, k) for j, k in cluster if k == fewest]
        )
    return matches


def _best_in_cluster(text, selector, cluster):
    """The end of one approximate occurrence whose context agrees most (the earliest of ties)."""
    return max(
        cluster,
        key=lambda match: (context_agreement(text, selector, match[0], match[1]), -match[1]),
    )


def _peq(pattern):
    masks = {}
    for i, char in enumerate(pattern):
        masks[char] = masks.get(char, 0) | (1 << i)
    return masks


def _myers_search(text, pattern, anchored=False):
    """Yield (j, errors): the fewest edits turning `pattern` into a substring ending at text[j].

    Myers (1999) bit-vector algorithm in Hyyrö's formulation, semi-global: the match may start
    anywhere, or only at text[0] when `anchored`. Python's integers hold the whole pattern in
    one bit vector.
    """
    m = len(pattern)
    peq = _peq(pattern)
    full = (1 << m) - 1
    top = 1 << (m - 1)
    pv, mv, score = full, 0, m
    for j, char in enumerate(text):
        eq = peq.get(char, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & full)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | anchored) & full
        mh = (mh << 1) & full
        pv = mh | (~(xv | ph) & full)
        mv = ph & xv
        yield j, score


def _match_start(text, pattern, end, errors):
    """Where the match of `pattern` ending at `end` with `errors` edits starts (the longest
    of equally good ones: a changed first letter counts as changed, not as deleted).

    The same algorithm run backwards from `end` over the reversed pattern, anchored at `end`.
    """
    window = text[max(0, end - len(pattern) - errors) : end][::-1]
    best_length, best_score = 0, len(pattern)
    for j, score in _myers_search(window, pattern[::-1], anchored=True):
        if score <= best_score:
            best_length, best_score = j + 1, score
    return end - best_length


# --- reanchor ----------------------------------------------------------------------------------


def reanchor(old_text, new_text, selectors):
    """Each selector's (start, end) in `new_text` after `old_text` was edited, or None (orphan).

    `selectors` are positioned in `old_text`. One diff maps those the edit did not touch;
    the others are found again by `anchor` near where the edit moved them.
    """
    segments = _equal_segments(diff(old_text, new_text))
    segment_starts = [old for old, _, _ in segments]
    results = []
    for selector in selectors:
        start, end = selector["start"], selector["end"]
        i = bisect_right(segment_starts, start) - 1
        if i >= 0:
            old, length, new = segments[i]
            # Inside one unchanged stretch, the edit did not touch it: shift it, then check it
            # is still its words in a credible place (a short quote could sit in a coincidental
            # stretch the diff kept inside a rewritten paragraph).
            mapped_start, mapped_end = start - old + new, end - old + new
            if (
                end <= old + length
                and new_text[mapped_start:mapped_end] == selector["exact"]
                and credible(new_text, selector, mapped_start, mapped_end)
            ):
                results.append((mapped_start, mapped_end))
                continue
        hint = _map_position(segments, segment_starts, start)
        moved = {**selector, "start": hint, "end": hint + (end - start)}
        results.append(_anchor(new_text, moved, window=FUZZY_WINDOW, trust_position=False))
    return results


def _map_position(segments, segment_starts, position):
    """`position` in the new text: shifted with its unchanged stretch, else where the edit is."""
    i = bisect_right(segment_starts, position) - 1
    if i < 0:
        return 0
    old, length, new = segments[i]
    return new + min(position - old, length)


def _equal_segments(diffs):
    """(old start, length, new start) of each stretch the edit left alone, in order."""
    segments, old, new = [], 0, 0
    for op, data in diffs:
        if op == diff_match_patch.DIFF_EQUAL:
            segments.append((old, len(data), new))
            old += len(data)
            new += len(data)
        elif op == diff_match_patch.DIFF_DELETE:
            old += len(data)
        else:
            new += len(data)
    return segments


def _differ():
    differ = diff_match_patch()
    differ.Diff_Timeout = 0  # deterministic: never cut a diff short by the clock
    return differ


def diff(old_text, new_text):
    """diff-match-patch's diffs of old → new: by lines, then clauses, then characters.

    Each level diffs only the stretches the level above found changed, each unit (a line, a
    clause) encoded as one character, as diff-match-patch's line mode does. Characters are
    compared only inside changed clauses of at most CHAR_DIFF_LIMIT characters, and only until
    DIFF_BUDGET is spent: without a time-out a diff costs O(N × D), so large rewrites stay
    deletions and insertions, whose passages `anchor` finds again. The result depends on the
    texts only.
    """
    differ = _differ()
    budget = DIFF_BUDGET
    result = []
    for old_lines, new_lines in _changes(result, _unit_diff(differ, old_text, new_text, _lines)):
        cost = len(CLAUSE_END.split(old_lines)) * len(CLAUSE_END.split(new_lines))
        if cost > budget:
            _replace(result, old_lines, new_lines)
            continue
        budget -= cost
        clauses = _unit_diff(differ, old_lines, new_lines, CLAUSE_END.split)
        for old_clauses, new_clauses in _changes(result, clauses):
            cost = len(old_clauses) * len(new_clauses)
            if max(len(old_clauses), len(new_clauses)) > CHAR_DIFF_LIMIT or cost > budget:
                _replace(result, old_clauses, new_clauses)
                continue
            budget -= cost
            block = differ.diff_main(old_clauses, new_clauses, False)
            differ.diff_cleanupSemantic(block)  # no coincidental one-letter equalities
            result.extend(block)
    differ.diff_cleanupMerge(result)  # adjacent equal stretches become one
    return result


def _lines(text):
    return text.splitlines(keepends=True)


def _unit_diff(differ, old_text, new_text, split):
    """Diffs of old → new where each unit `split` yields counts as one character."""
    units, codes = [], {}

    def encode(text):
        encoded = []
        for unit in split(text):
            if unit:
                if unit not in codes:
                    codes[unit] = chr(len(units))
                    units.append(unit)
                encoded.append(codes[unit])
        return "".join(encoded)

    old_codes, new_codes = encode(old_text), encode(new_text)
    diffs = differ.diff_main(old_codes, new_codes, False)
    return [(op, "".join(units[ord(code)] for code in data)) for op, data in diffs]


def _changes(result, diffs):
    """Yield (deleted, inserted) of each changed stretch; append equal stretches to `result`."""
    deleted = inserted = ""
    for op, data in [*diffs, (diff_match_patch.DIFF_EQUAL, "")]:
        if op == diff_match_patch.DIFF_DELETE:
            deleted += data
        elif op == diff_match_patch.DIFF_INSERT:
            inserted += data
        else:
            if deleted and inserted:
                yield deleted, inserted
            else:
                _replace(result, deleted, inserted)
            deleted = inserted = ""
            if data:
                result.append((op, data))


def _replace(result, deleted, inserted):
    if deleted:
        result.append((diff_match_patch.DIFF_DELETE, deleted))
    if inserted:
        result.append((diff_match_patch.DIFF_INSERT, inserted))
