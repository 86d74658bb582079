"""HTML pages parsed in bounded time: one lxml pass, nesting limited, errors that name the source and the line.

BeautifulSoup's recursive searches (every table's rows, every row's cells, each searching the whole
subtree) turn a page of nested tables into minutes of work: 100 nested <table>s took 82 s. Pages are
parsed once with lxml instead; a document nested deeper than libxml2's limit (256 elements) or with
tables nested deeper than MAX_TABLE_NESTING is refused before any search, so every later step costs
at most the page size times a small constant.
"""

from __future__ import annotations

import lxml.etree as etree
import lxml.html

from assets.errors import SourceError

# Real pricing pages nest a table in a table at most once or twice (layout tables); more is not a price page.
MAX_TABLE_NESTING = 8
# HTML allows colspan up to 1000; a larger one must not make a header row of a billion cells.
MAX_COLSPAN = 1000


def html_document(source: str, body: bytes, *, max_table_nesting: int = MAX_TABLE_NESTING) -> lxml.html.HtmlElement:
    """The page's root element, or a SourceError naming the source, the limit and where the page broke it."""
    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(body, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise SourceError(source, f"the page is not HTML ({exc})") from exc
    fatal = next((e for e in parser.error_log if e.level_name == "FATAL"), None)
    if fatal is not None:
        problem = fatal.message.split(", use XML_PARSE_HUGE")[0].rstrip(".")  # libxml2's hint is not for us
        if problem.startswith("Excessive depth in document"):
            problem = "elements nested deeper than 256 (the parser's limit)"
        raise SourceError(
            source, f"the page could not be parsed to its end: {problem} at line {fatal.line}, column {fatal.column}"
        )
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end"), tag="table"):
        depth += 1 if event == "start" else -1
        if depth > max_table_nesting:
            raise SourceError(
                source,
                f"table nesting deeper than {max_table_nesting} at line {element.sourceline} (not the page expected)",
            )
    return root


def text(element, separator: str = " ") -> str:
    """An element's text, its pieces (text around child elements) joined by `separator`, whitespace collapsed."""
    return " ".join(separator.join(element.itertext()).replace("\xa0", " ").split())


def colspan(cell) -> int:
    """How many columns a cell spans: 1 when unset or not a number, at most MAX_COLSPAN."""
    value = (cell.get("colspan") or "1").strip()
    if not value.isdigit() or len(value) > 6 or int(value) == 0:
        return MAX_COLSPAN if value.isdigit() and len(value) > 6 else 1
    return min(int(value), MAX_COLSPAN)


def own_rows(table) -> list:
    """A table's own rows (directly or in its thead/tbody/tfoot), never those of a table nested in a cell."""
    return table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr")


def own_cells(row) -> list:
    """A row's own cells, never those of a table nested in one of them."""
    return row.xpath("./th | ./td")
