"""papers.arxiv and the Paper model's use of it: ids, URLs, BibTeX."""

from datetime import date

import pytest
from django import forms
from django.core.exceptions import ValidationError

from papers import arxiv
from papers.models import Paper


class PaperForm(forms.ModelForm):
    class Meta:
        model = Paper
        fields = ["arxiv_id", "title"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2308.02223", "2308.02223"),
        ("2308.02223v2", "2308.02223v2"),
        ("0704.0001", "0704.0001"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("math.GT/0309136", "math.GT/0309136"),
        ("arXiv:2308.02223", "2308.02223"),
        ("arxiv:hep-th/9901001v3", "hep-th/9901001v3"),
        ("https://arxiv.org/abs/2308.02223", "2308.02223"),
        ("http://www.arxiv.org/abs/2308.02223/", "2308.02223"),
        ("https://arxiv.org/pdf/2308.02223v2", "2308.02223v2"),
        ("https://arxiv.org/pdf/2308.02223v2.pdf", "2308.02223v2"),
        ("https://export.arxiv.org/abs/math.GT/0309136", "math.GT/0309136"),
        ("  2308.02223 \n", "2308.02223"),
        ("0704.0001", "0704.0001"),  # the first new-style id
        ("1412.9999", "1412.9999"),  # the last month of 4 digits
        ("1501.00001", "1501.00001"),  # the first month of 5
        ("arXiv:1706.03762", "1706.03762"),
        ("https://arxiv.org/abs/1706.03762v7", "1706.03762v7"),
        ("https://arxiv.org/pdf/1706.03762.pdf", "1706.03762"),
        ("astro-ph/9108001", "astro-ph/9108001"),
        ("cond-mat/0703999", "cond-mat/0703999"),  # the last month of old-style ids
    ],
)
def test_parse_arxiv_id_accepts(value, expected):
    """Ids, `arXiv:` prefixes and abs/PDF URLs all reduce to the bare id."""
    assert arxiv.parse_arxiv_id(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        "2313.00001",  # month 13
        "2300.00001",  # month 00
        "2308.02223v0",
        "2308.022",
        "hep-th/9913001",  # month 13, old style
        "https://example.com/abs/2308.02223",
        "",
        "   ",
        "2305.1829",  # 4 digits after 2014
        "0703.1234",  # new style before April 2007
        "1413.12345",  # month 13
        "1412.12345",  # 5 digits before 2015
        "1501.00000",
        "2308.02223v01",
        "foo-th/9901001",  # no such archive
        "hep-th/0704001",  # old style after March 2007
        "HEP-TH/9901001",
    ],
)
def test_parse_arxiv_id_rejects(value):
    """Anything that is not an arXiv id raises a ValidationError with the invalid code."""
    with pytest.raises(ValidationError) as excinfo:
        arxiv.parse_arxiv_id(value)
    assert excinfo.value.code == "invalid_arxiv_id"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2305.1829", "2015 年起的编号在点后有 5 位数字,这里有 4 位"),
        ("1412.12345", "2007 年 4 月到 2014 年底的编号在点后有 4 位数字,这里有 5 位"),
        ("0703.1234", "新式编号从 0704(2007 年 4 月)开始,更早的论文形如 hep-th/9901001"),
        ("1413.12345", "月份 13 不在 01–12 之间"),
        ("foo-th/9901001", "没有名为 foo-th 的 arXiv 分类"),
        ("hep-th/0704001", "旧式编号(分类/YYMMNNN)只用于 1991 年到 2007 年 3 月"),
        ("1501.00000", "编号 00000 不能全是 0"),
        ("garbage", "应形如 2308.02223、2308.02223v2、hep-th/9901001"),
    ],
)
def test_refused_id_says_what_is_wrong(value, reason):
    """The error names the id and the rule it breaks, in Chinese."""
    with pytest.raises(ValidationError) as excinfo:
        arxiv.parse_arxiv_id(value)
    message = excinfo.value.messages[0]
    assert message.startswith(f"“{value}” 不是 arXiv 编号:")
    assert reason in message


@pytest.mark.parametrize(
    ("arxiv_id", "expected"),
    [
        ("1706.03762v7", ("1706.03762", 7)),
        ("1706.03762", ("1706.03762", None)),
        ("math.GT/0309136v12", ("math.GT/0309136", 12)),
        ("solv-int/9901001", ("solv-int/9901001", None)),
    ],
)
def test_split_version(arxiv_id, expected):
    """split_version parts an id into the paper's id and its version."""
    assert arxiv.split_version(arxiv_id) == expected


def test_paper_save_normalizes_pasted_url(db):
    """Saving a paper whose id is a pasted PDF URL stores the bare id and its version apart."""
    paper = Paper.objects.create(arxiv_id="https://arxiv.org/pdf/2308.02223v2.pdf", title="T")
    assert Paper.objects.values_list("arxiv_id", "version").get(pk=paper.pk) == ("2308.02223", 2)


def test_versions_of_a_paper_are_one_paper(db):
    """1706.03762v7 typed in a form for the stored 1706.03762 is a duplicate of it."""
    Paper.objects.create(arxiv_id="1706.03762", title="Attention Is All You Need")
    form = PaperForm(data={"arxiv_id": "1706.03762v7", "title": "T"})
    assert not form.is_valid()
    assert form.errors["arxiv_id"] == ["已有这篇论文(同一 arXiv 编号,不论版本)。"]
    assert Paper.objects.get().version is None


def test_version_suffix_edits_the_stored_paper_version(db):
    """Typing a version suffix on a paper's own form sets its version; its id stays bare."""
    paper = Paper.objects.create(arxiv_id="1706.03762v5", title="Attention Is All You Need")
    form = PaperForm(data={"arxiv_id": "1706.03762v7", "title": "T"}, instance=paper)
    assert form.is_valid(), form.errors
    form.save()
    assert Paper.objects.values_list("arxiv_id", "version").get() == ("1706.03762", 7)


def test_model_form_accepts_pasted_url(db):
    """A ModelForm given an abs URL is valid and saves the bare id."""
    form = PaperForm(data={"arxiv_id": "https://arxiv.org/abs/2308.02223", "title": "T"})
    assert form.is_valid(), form.errors
    assert form.save().arxiv_id == "2308.02223"


def test_model_form_reports_bad_id_as_field_error(db):
    """A ModelForm given a bad id is invalid with an error on arxiv_id, and raises nothing."""
    form = PaperForm(data={"arxiv_id": "2313.00001", "title": "T"})
    assert not form.is_valid()
    assert list(form.errors) == ["arxiv_id"]
    assert "不是 arXiv 编号" in form.errors["arxiv_id"][0]


def test_model_form_sees_pasted_url_of_existing_paper_as_duplicate(paper):
    """A pasted URL of a stored paper fails the unique check instead of the database."""
    form = PaperForm(data={"arxiv_id": "arXiv:2308.02223", "title": "T"})
    assert not form.is_valid()
    assert list(form.errors) == ["arxiv_id"]
    assert Paper.objects.count() == 1


def test_full_clean_reports_bad_id(db):
    """full_clean turns a bad id into a ValidationError keyed by arxiv_id."""
    with pytest.raises(ValidationError) as excinfo:
        Paper(arxiv_id="not-an-id", title="T").full_clean()
    assert list(excinfo.value.message_dict) == ["arxiv_id"]


def test_abs_and_pdf_urls():
    """abs_url and pdf_url point at arxiv.org for new- and old-style ids, at the version
    the notes name when they name one."""
    paper = Paper(arxiv_id="2308.02223")
    assert paper.abs_url == "https://arxiv.org/abs/2308.02223"
    assert paper.pdf_url == "https://arxiv.org/pdf/2308.02223"
    old = Paper(arxiv_id="hep-th/9901001")
    assert old.abs_url == "https://arxiv.org/abs/hep-th/9901001"
    assert old.pdf_url == "https://arxiv.org/pdf/hep-th/9901001"
    versioned = Paper(arxiv_id="1706.03762", version=7)
    assert versioned.abs_url == "https://arxiv.org/abs/1706.03762v7"


def test_split_authors_on_commas_and_newlines_and_and():
    """Authors split on commas, new lines, semicolons and the word "and"."""
    assert arxiv.split_authors("A One, B Two\nC Three; D Four and E Anderson") == [
        "A One",
        "B Two",
        "C Three",
        "D Four",
        "E Anderson",
    ]


def test_bibtex_entry():
    """BibTeX is an @misc entry with key, title, authors joined by " and ", eprint, prefix."""
    paper = Paper(
        arxiv_id="2308.02223",
        version=2,
        title="ESRL: Efficient Sampling-based Reinforcement Learning for Sequence Generation",
        authors="Chenglong Wang, Hang Zhou, Yimin Hu",
        published_on=date(2023, 8, 4),
    )
    assert paper.bibtex == (
        "@misc{wang2023esrl,\n"
        "  title = {ESRL: Efficient Sampling-based Reinforcement Learning for Sequence"
        " Generation},\n"
        "  author = {Chenglong Wang and Hang Zhou and Yimin Hu},\n"
        "  year = {2023},\n"
        "  eprint = {2308.02223},\n"
        "  archivePrefix = {arXiv},\n"
        "  url = {https://arxiv.org/abs/2308.02223v2}\n"
        "}"
    )


def test_bibtex_without_date_or_authors_omits_them():
    """No publication date and no authors: no year or author field, key falls back."""
    entry = Paper(arxiv_id="hep-th/9901001", title="On Strings").bibtex
    assert entry.startswith("@misc{arxivstrings,\n")
    assert "year =" not in entry
    assert "author =" not in entry
    assert "  eprint = {hep-th/9901001},\n" in entry


def test_bibtex_escapes_ampersand_and_percent():
    """& and % in a title are escaped for LaTeX."""
    entry = Paper(arxiv_id="2308.02223", title="R&D at 100% scale", authors="A B").bibtex
    assert r"  title = {R\&D at 100\% scale}," in entry
