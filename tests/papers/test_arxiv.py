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
    ],
)
def test_parse_arxiv_id_rejects(value):
    """Anything that is not an arXiv id raises a ValidationError with the invalid code."""
    with pytest.raises(ValidationError) as excinfo:
        arxiv.parse_arxiv_id(value)
    assert excinfo.value.code == "invalid_arxiv_id"


def test_paper_save_normalizes_pasted_url(db):
    """Saving a paper whose id is a pasted PDF URL stores the bare id."""
    paper = Paper.objects.create(arxiv_id="https://arxiv.org/pdf/2308.02223v2.pdf", title="T")
    assert Paper.objects.values_list("arxiv_id", flat=True).get(pk=paper.pk) == "2308.02223v2"


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
    """abs_url and pdf_url point at arxiv.org for new- and old-style ids."""
    paper = Paper(arxiv_id="2308.02223")
    assert paper.abs_url == "https://arxiv.org/abs/2308.02223"
    assert paper.pdf_url == "https://arxiv.org/pdf/2308.02223"
    old = Paper(arxiv_id="hep-th/9901001")
    assert old.abs_url == "https://arxiv.org/abs/hep-th/9901001"
    assert old.pdf_url == "https://arxiv.org/pdf/hep-th/9901001"


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
        arxiv_id="2308.02223v2",
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
