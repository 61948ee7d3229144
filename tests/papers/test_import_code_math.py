"""papers.importing.codemath: math written in code spans, as Hugo sites with math-code.js
showed it, typeset with --math-in-code and told about without it."""

from io import StringIO

import pytest
from django.core.management import call_command

from papers.importing import import_notes
from papers.models import Note
from tests.papers.test_importing import write

pytestmark = pytest.mark.django_db

HUGO_POST = """---
title: 量化
---
其中，`$r, q$` 分别表示量化前后的值：
`$$
\\begin{aligned}
r &= S (q - Z)
\\end{aligned}
$$`
命令 `echo $HOME` 与 `$` 是代码。

```
`$y$`
```
"""


def test_code_spans_holding_math_become_math_with_the_option(tmp_path):
    write(tmp_path / "site", "a.md", HUGO_POST)
    report = import_notes([tmp_path / "site"], math_in_code=True)
    body = Note.objects.get().body_html
    assert '其中，<span class="arithmatex">\\(r, q\\)</span> 分别表示' in body
    assert '<div class="arithmatex">\\[\n\\begin{aligned}' in body
    assert "<code>echo $HOME</code> 与 <code>$</code> 是代码" in body
    assert "<code>`$y$`\n</code>" in body
    assert report.warnings == []


def test_without_the_option_they_stay_code_and_the_file_is_told(tmp_path):
    path = write(tmp_path / "site", "a.md", HUGO_POST)
    report = import_notes([tmp_path / "site"])
    assert "<code>$r, q$</code>" in Note.objects.get().body_html
    assert [str(warning) for warning in report.warnings] == [
        f"{path}:4: 2 code spans hold only math and show as code (--math-in-code typesets "
        "them, as math-code.js did on Hugo and blogdown sites)"
    ]


def test_command_option(tmp_path):
    write(tmp_path / "site", "a.md", HUGO_POST)
    call_command("import_notes", str(tmp_path / "site"), "--math-in-code", stdout=StringIO())
    assert "<code>$r, q$</code>" not in Note.objects.get().body_html
