"""How a paper reads in an editor: short descriptions and Markdown that cannot inject."""

from __future__ import annotations

from urllib.parse import quote

from paper_ls.bibtex.latex import latex_to_markdown
from paper_ls.bibtex.render import escape_latex
from paper_ls.model import Paper


def md_field(paper: Paper, name: str, decoded: str) -> str:
    """A field as safe Markdown: from its LaTeX when we have it, else from decoded text."""
    raw = paper.fields.get(name)
    return latex_to_markdown(raw if raw else escape_latex(decoded))


def md_text(text: str, *, inline: bool = False) -> str:
    return latex_to_markdown(escape_latex(text), at_block_start=not inline)


def authors_line(paper: Paper, most: int = 8) -> str:
    names = [a.display() for a in paper.authors[:most]]
    if len(paper.authors) > most:
        names.append(f"and {len(paper.authors) - most} more")
    return ", ".join(names)


def paper_markdown(paper: Paper, where: str) -> str:
    """Title, authors, year, venue, links, abstract and where the entry lives."""
    parts = [f"**{md_field(paper, 'title', paper.title) or '(untitled)'}**"]
    byline = [md_text(authors_line(paper))] if paper.authors else []
    if paper.year:
        byline.append(str(paper.year))
    if paper.venue:
        byline.append(f"*{md_text(paper.venue)}*")
    if byline:
        parts.append(" · ".join(byline))
    links = []
    if paper.doi:
        target = quote(paper.doi, safe="/:;.-_")
        links.append(f"[doi:{md_text(paper.doi, inline=True)}](https://doi.org/{target})")
    if paper.arxiv:
        links.append(
            f"[arXiv:{md_text(paper.arxiv, inline=True)}](https://arxiv.org/abs/{quote(paper.arxiv)})"
        )
    if paper.url and paper.url.startswith(("http://", "https://")):
        links.append(f"[link](<{quote(paper.url, safe=':/?#[]@!$&()*+,;=%~.-_')}>)")
    if links:
        parts.append(" · ".join(links))
    if paper.abstract:
        parts.append(md_field(paper, "abstract", paper.abstract))
    parts.append(f"_{md_text(where)}_")
    return "\n\n".join(parts)
