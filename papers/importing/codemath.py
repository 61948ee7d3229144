"""Math written inside code spans, as Hugo and blogdown sites that load Yihui Xie's
math-code.js write it (`` `$x$` ``, `` `$$ ... $$` `` over several lines, `` `\\(x\\)` ``):
the script took a code span (not in a code block) whose whole text is math out of its
`<code>` before MathJax ran, so the old pages showed typeset math. Goldmark escapes nothing in
code spans, which is why authors wrote TeX there.

With `import_notes(math_in_code=True)` (`--math-in-code`) such spans lose their backticks and
become math; otherwise each file holding some is told once, so an author finds the option.
"""

import re

# Any character of a code span but a backtick; a span may go on to the next line but not
# past a blank one, which ends the paragraph.
IN_SPAN = r"(?:[^`\n]|\n(?![ \t]*\n))"
# A code span whose whole text is math, as math-code.js tests it: `$...$` (not `$` alone),
# `$$...$$`, `\(...\)`, `\[...\]` or `\begin{env}...\end{env}`.
CODE_MATH = re.compile(
    rf"(?<!`)(?P<ticks>`+)(?!`)"
    rf"(?P<math>\$(?=[^$`]){IN_SPAN}*?[^$`]\$|\$\${IN_SPAN}+?\$\$"
    rf"|\\\({IN_SPAN}+?\\\)|\\\[{IN_SPAN}+?\\\]"
    rf"|\\begin\{{(?P<env>[^}}`]+)\}}{IN_SPAN}+?\\end\{{(?P=env)\}})"
    rf"(?P=ticks)(?!`)"
)


def prose_runs(lines):
    """Runs of consecutive prose lines ([(index, line), ...]) from (index, line, is_prose)."""
    run = []
    for index, line, is_prose in lines:
        if is_prose:
            run.append((index, line))
        elif run:
            yield run
            run = []
    if run:
        yield run


def math_out_of_code(lines, body_lines):
    """(`body_lines` with the backticks around math-only code spans in prose removed, how many
    spans that was). As many lines as before: a span may cross lines, not a block of code."""
    unwrapped, count = list(body_lines), 0
    for run in prose_runs(lines):
        text = "\n".join(line for _, line in run)
        if "`" not in text:
            continue
        text, found = CODE_MATH.subn(lambda match: match["math"], text)
        count += found
        for (index, _), line in zip(run, text.split("\n"), strict=True):
            unwrapped[index] = line
    return unwrapped, count
