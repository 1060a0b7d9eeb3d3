"""What `epaper inspect` shows: the issues, pages and articles understood, and every warning."""

from __future__ import annotations

from dataclasses import dataclass, field

from exporter.archive import Archive
from exporter.errors import printable
from exporter.model import Article, Figure, Heading, Highlights, Paragraph, Separator


@dataclass(slots=True)
class Node:
    """One line of the outline, with the lines under it."""

    text: str
    children: list[Node] = field(default_factory=list)
    style: str = ""

    def __post_init__(self) -> None:
        self.text = printable(self.text)  # Titles and file names may hold bidi overrides or line breaks.


def article_summary(article: Article) -> str:
    """Count what an article holds: 4 captions, 4 headings, 3 highlights, 27 paragraphs."""
    figures = [b for b in article.blocks if isinstance(b, Figure)]
    counts = [
        (len(figures), "caption"),
        (sum(1 for f in figures if f.image), "image"),
        (sum(1 for b in article.blocks if isinstance(b, Heading)), "heading"),
        (sum(len(b.items) for b in article.blocks if isinstance(b, Highlights)), "highlight"),
        (sum(1 for b in article.blocks if isinstance(b, Paragraph)), "paragraph"),
        (sum(1 for b in article.blocks if isinstance(b, Separator)), "separator"),
    ]
    return ", ".join(f"{n} {word}{'s' if n != 1 else ''}" for n, word in counts if n or word == "paragraph")


def outline(archive: Archive) -> list[Node]:
    """Build the outline: paper/date → 版面 → article → fields."""
    nodes = []
    for issue in archive.issues:
        pages = len(issue.pages)
        articles = len(issue.articles)
        top = Node(
            f"{issue.paper.name} {issue.date.isoformat()} {issue.weekday} — "
            f"{pages} page{'s' if pages != 1 else ''}, {articles} article{'s' if articles != 1 else ''}",
            style="bold",
        )
        for page in issue.pages:
            page_node = Node(page.heading, style="cyan")
            for article in page.articles:
                art = Node(article.title, style="bold")
                for label, value in (
                    ("kicker", article.kicker),
                    ("subtitle", article.subtitle),
                    ("byline", article.byline),
                    ("source", article.source),
                ):
                    if value:
                        art.children.append(Node(f"{label}: {value}", style="dim"))
                art.children.append(Node(article_summary(article), style="dim"))
                for heading in article.headings:
                    text = f"{heading.kicker} / {heading.text}" if heading.kicker else heading.text
                    art.children.append(Node(f"§ {text}", style="dim"))
                for note in article.notes:
                    art.children.append(Node(f"note: {note}", style="yellow"))
                reader = archive.readers.get(article.origin.file)
                read_by = f" (read by: {reader})" if reader else ""
                art.children.append(Node(f"from {article.origin}{read_by}", style="dim"))
                page_node.children.append(art)
            top.children.append(page_node)
        nodes.append(top)
    return nodes


def totals(archive: Archive) -> str:
    return (
        f"{archive.files} file{'s' if archive.files != 1 else ''}, {len(archive.issues)} "
        f"issue{'s' if len(archive.issues) != 1 else ''}, {archive.articles} "
        f"article{'s' if archive.articles != 1 else ''}, {len(archive.notices)} "
        f"warning{'s' if len(archive.notices) != 1 else ''}, {len(archive.refused)} refused"
    )


def plain(archive: Archive) -> str:
    """Render the outline as indented plain text (for pipes and files)."""
    lines: list[str] = []

    def walk(node: Node, depth: int) -> None:
        lines.append("  " * depth + node.text)
        for child in node.children:
            walk(child, depth + 1)

    for node in outline(archive):
        walk(node, 0)
    if archive.notices:
        lines.append("warnings:")
        lines.extend(f"  {n}" for n in archive.notices)
    if archive.refused:
        lines.append("refused:")
        lines.extend(f"  {e}" for e in archive.refused)
    lines.append(totals(archive))
    return "\n".join(lines)


def rich_tree(archive: Archive) -> list[object]:
    """Render the outline as rich Trees (for terminals)."""
    from rich.text import Text
    from rich.tree import Tree

    def build(node: Node, tree: Tree) -> None:
        for child in node.children:
            # A styled label, not a styled branch: children keep their own style.
            build(child, tree.add(Text(child.text, style=child.style)))

    out: list[object] = []
    for node in outline(archive):
        tree = Tree(Text(node.text, style=node.style))
        build(node, tree)
        out.append(tree)
    return out
