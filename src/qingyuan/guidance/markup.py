"""The guidance pages' tiny markup, turned into blocks the template prints escaped.

    ## 小标题          a line starting "## " is a heading
    - 列表项           lines starting "- " are the items of a list
    （空行）           a blank line ends a paragraph

Everything else is text. No HTML is ever produced from the body here: the template prints each
block's text with autoescaping, so whatever an editor types (& < > =, tags) shows as typed."""

from dataclasses import dataclass, field


@dataclass
class Block:
    kind: str  # "heading", "paragraph" or "list"
    lines: list[str] = field(default_factory=list)


def blocks(text: str) -> list[Block]:
    result: list[Block] = []
    current: Block | None = None
    for raw in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if not line:
            current = None
        elif line.startswith("## "):
            result.append(Block("heading", [line[3:].strip()]))
            current = None
        elif line.startswith("- "):
            if current is None or current.kind != "list":
                current = Block("list")
                result.append(current)
            current.lines.append(line[2:].strip())
        else:
            if current is None or current.kind != "paragraph":
                current = Block("paragraph")
                result.append(current)
            current.lines.append(line)
    return result
