"""arXiv identifiers and citations: plain functions shared by models, admin and imports."""

import re

from django.core.exceptions import ValidationError

# The archives of old-style ids (archive[.XX]/YYMMNNN, August 1991 to March 2007).
OLD_ARCHIVES = frozenset(
    [
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "stat",
        "supr-con",
    ]
)
NEW_STYLE = re.compile(r"(?P<yymm>\d{4})\.(?P<number>\d+)(?:v(?P<version>\d+))?")
OLD_STYLE = re.compile(
    r"(?P<archive>[a-z]+(?:-[a-z]+)?)(?P<subject>\.[A-Za-z]{2})?/"
    r"(?P<yymm>\d{4})(?P<number>\d{3})(?:v(?P<version>\d+))?"
)
ARXIV_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/", flags=re.IGNORECASE
)
FORMS = "应形如 2308.02223、2308.02223v2、hep-th/9901001,或 arxiv.org 的摘要页 / PDF 链接"


def parse_arxiv_id(value):
    """Return the arXiv id in `value` (an id, `arXiv:<id>`, or a pasted abs / PDF URL), version
    suffix included; raise a ValidationError saying what is wrong with anything else."""
    text = ARXIV_URL_PREFIX.sub("", str(value).strip())
    text = re.sub(r"^arxiv:", "", text, flags=re.IGNORECASE).rstrip("/")
    text = re.sub(r"\.pdf$", "", text)
    if match := NEW_STYLE.fullmatch(text):
        problem = new_style_problem(match)
    elif match := OLD_STYLE.fullmatch(text):
        problem = old_style_problem(match)
    else:
        problem = FORMS
    if problem:
        raise ValidationError(
            "“%(value)s” 不是 arXiv 编号:%(problem)s。",
            code="invalid_arxiv_id",
            params={"value": value, "problem": problem},
        )
    return text


def new_style_problem(match):
    """What is wrong with a YYMM.NNNNN id, or None: numbers have 4 digits from April 2007
    (0704) to December 2014 and 5 from January 2015 (1501) on."""
    yymm, number, version = match["yymm"], match["number"], match["version"]
    if not "01" <= yymm[2:] <= "12":
        return f"月份 {yymm[2:]} 不在 01–12 之间"
    if yymm < "0704":
        return "新式编号从 0704(2007 年 4 月)开始,更早的论文形如 hep-th/9901001"
    digits = 4 if yymm <= "1412" else 5
    if len(number) != digits:
        since = "2007 年 4 月到 2014 年底" if digits == 4 else "2015 年起"
        return f"{since}的编号在点后有 {digits} 位数字,这里有 {len(number)} 位"
    return version_problem(number, version)


def old_style_problem(match):
    """What is wrong with an archive/YYMMNNN id, or None."""
    archive, yymm, number = match["archive"], match["yymm"], match["number"]
    if archive not in OLD_ARCHIVES:
        return f"没有名为 {archive} 的 arXiv 分类"
    if not "01" <= yymm[2:] <= "12":
        return f"月份 {yymm[2:]} 不在 01–12 之间"
    if "0703" < yymm < "9101":
        return "旧式编号(分类/YYMMNNN)只用于 1991 年到 2007 年 3 月,之后形如 2308.02223"
    return version_problem(number, match["version"])


def version_problem(number, version):
    if not number.strip("0"):
        return f"编号 {number} 不能全是 0"
    if version is not None and version.startswith("0"):
        return "版本号从 v1 开始"
    return None


def split_version(arxiv_id):
    """(`arxiv_id` without its version suffix, the version as a number or None).

    A paper is one paper whatever its version: the first is what identifies it."""
    match = re.fullmatch(r"(.+?)(?:v(\d+))?", arxiv_id)
    return match[1], int(match[2]) if match[2] else None


def base_id(value):
    """The id of the paper `value` names (see parse_arxiv_id), whatever version it names."""
    return split_version(parse_arxiv_id(value))[0]


def with_version(base_id, version):
    """The id naming one version of a paper: `base_id` and `vN` when the version is known."""
    return f"{base_id}v{version}" if version else base_id


def abs_url(arxiv_id):
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id):
    return f"https://arxiv.org/pdf/{arxiv_id}"


def split_authors(authors):
    """Author names from text as arXiv shows it: separated by commas, "and" or new lines."""
    parts = re.split(r",|\n|;|\band\b", authors)
    return [name.strip() for name in parts if name.strip()]


def bibtex_escape(text):
    return re.sub(r"([&%$#_])", r"\\\1", text)


def bibtex(arxiv_id, title, authors, year):
    """A BibTeX @misc entry in the form arXiv's own export uses."""
    names = split_authors(authors)
    surname = re.sub(r"\W", "", names[0].split()[-1]).lower() if names else "arxiv"
    first_word = next((w.lower() for w in re.findall(r"[A-Za-z]+", title) if len(w) > 3), "")
    key = f"{surname}{year or ''}{first_word}"
    fields = [
        ("title", bibtex_escape(title)),
        ("author", " and ".join(names)),
        ("year", str(year) if year else ""),
        ("eprint", split_version(arxiv_id)[0]),
        ("archivePrefix", "arXiv"),
        ("url", abs_url(arxiv_id)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"
