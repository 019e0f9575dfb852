"""Reading what a user typed: words (AND), "quoted phrases", OR, -word / NOT, parentheses, and field filters.

The grammar is forgiving, because a mistyped query is not an error, and it says what it mended (`repairs`): an
operator with nothing to apply to (`北约 AND`, `北约 OR`, `NOT`) is dropped, an unclosed quote is closed at the end,
an unmatched parenthesis is dropped. An operator typed with nothing else (`OR`) is a word. With `repair=False` the
query is read as typed: a dangling operator is a word and an unclosed quote is plain text. Only a query that cannot
mean anything (an unknown field, nothing left to search) raises BadQuery with a one-line explanation.

A Latin word ending in `*` is a prefix (`nat*`: every word starting with nat).

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or_expr ")" | "\"phrase\"" | field ":" value | word | prefix "*"
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from jiaokan.search.errors import BadQuery

FILTER_FIELDS = ("version", "lang", "section")


@dataclass(frozen=True)
class Text:
    text: str
    quoted: bool = False
    prefix: bool = False  # `nat*`: text is "nat", and every word starting with it matches


@dataclass(frozen=True)
class Filter:
    field: str
    value: str


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


Node = Text | Filter | Not | And | Or


@dataclass(frozen=True)
class Repair:
    """One thing the parser mended in what was typed."""

    action: str  # "dropped" | "closed"
    token: str  # the operator, quote or parenthesis
    why: str

    def describe(self) -> dict:
        return {"action": self.action, "token": self.token, "why": self.why}


@dataclass
class ParsedQuery:
    tree: Node | None  # None when the query holds only filters
    filters: dict[str, list[str]] = field(default_factory=dict)
    repairs: list[Repair] = field(default_factory=list)


# Full-width forms of the syntax characters count as the syntax (a Chinese keyboard types “ ” （ ） ：).
_SYNTAX_WIDTH = str.maketrans({"“": '"', "”": '"', "＂": '"', "（": "(", "）": ")", "－": "-"})
_CONTROLS = {c: None for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F]}
_TOKEN = re.compile(r'"[^"]*"|\(|\)|[^\s()"]+|"')
_FIELD = re.compile(r"^([A-Za-z]+):(.+)$")
_PREFIX = re.compile(r"^([A-Za-z0-9]{2,})\*+$")
OPERATORS = ("AND", "OR", "NOT", "-")


def parse(raw: str, repair: bool = True) -> ParsedQuery:
    # Control characters (a NUL from a pasted file, a stray escape) are no part of any text a query can mean: read
    # as nothing, so "北约\x00" is 北约, translations included. Tabs and line breaks stay white space.
    text = raw.translate(_CONTROLS).translate(_SYNTAX_WIDTH)
    closed = False
    if repair and text.count('"') % 2:
        # The last quote opens a phrase that was never closed: it runs to the end of the query.
        text += '"'
        closed = True
    tokens = _TOKEN.findall(text)
    filters: dict[str, list[str]] = {}
    rest: list[str] = []
    for tok in tokens:
        m = _FIELD.match(tok)
        if m and not tok.startswith('"'):
            name, value = m.group(1).lower(), m.group(2)
            if name not in FILTER_FIELDS:
                raise BadQuery(f"unknown field {m.group(1)!r} in {tok!r}: filters are {', '.join(FILTER_FIELDS)}")
            filters.setdefault(name, []).append(value)
        else:
            rest.append(tok)
    parser = _Parser(rest, repair)
    tree = parser.parse()
    repairs = parser.repairs
    if tree is None and repairs and all(r.token in OPERATORS for r in repairs):
        # Nothing but operators: they are the words searched for ("OR" alone), not syntax.
        tree = _combine(And, [Text(r.token) for r in repairs if r.token != "-"])
        repairs = []
    if closed:
        repairs.insert(0, Repair("closed", '"', "the quote was not closed; the phrase runs to the end of the query"))
    return ParsedQuery(tree, filters, repairs)


class _Parser:
    def __init__(self, tokens: list[str], repair: bool = True):
        self.tokens = tokens
        self.i = 0
        self.repair = repair
        self.repairs: list[Repair] = []

    def dangling(self, token: str, why: str) -> Node | None:
        """An operator with nothing to apply to: dropped (and said so), or with repair off, a word."""
        if not self.repair:
            return Text(token)
        self.repairs.append(Repair("dropped", token, why))
        return None

    def parse(self) -> Node | None:
        nodes = []
        while self.i < len(self.tokens):
            node = self.or_expr()
            if node is not None:
                nodes.append(node)
            elif self.i < len(self.tokens):
                # A stray closing parenthesis.
                if self.repair:
                    self.repairs.append(Repair("dropped", self.tokens[self.i], "it closes no parenthesis"))
                else:
                    nodes.append(Text(self.tokens[self.i]))
                self.i += 1
        return _combine(And, nodes)

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def or_expr(self) -> Node | None:
        left = self.and_expr()
        branches = [left] if left is not None else []
        while self.peek() == "OR":
            self.i += 1
            right = self.and_expr()
            if right is None:
                # "a OR" with nothing after.
                word = self.dangling("OR", "nothing after it")
                last = branches.pop() if branches else None
                branches.append(_combine(And, [last, word]))
                break
            if not branches:
                word = self.dangling("OR", "nothing before it")
                if word is not None:
                    branches.append(word)
                    branches = [_combine(And, branches)]
            branches.append(right)
        return _combine(Or, branches)

    def and_expr(self) -> Node | None:
        nodes = []
        while True:
            tok = self.peek()
            if tok is None or tok == ")" or (tok == "OR" and nodes):
                break
            if tok == "OR":  # leading OR
                self.i += 1
                nodes.append(self.dangling("OR", "nothing before it"))
                continue
            if tok == "AND":
                # "a AND b" means what "a b" means; AND with nothing on one side is dangling.
                self.i += 1
                if nodes and self.i < len(self.tokens) and self.tokens[self.i] not in (")", "OR"):
                    continue
                nodes.append(self.dangling("AND", "nothing after it" if nodes else "nothing before it"))
                continue
            node = self.unary()
            if node is not None:
                nodes.append(node)
        return _combine(And, nodes)

    def unary(self) -> Node | None:
        tok = self.peek()
        if tok == "-" and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1] == "(":
            self.i += 1
            child = self.primary()
            return Not(child) if child is not None else None
        if tok == "NOT" or (tok.startswith("-") and len(tok) > 1 and tok != "-"):
            if tok == "NOT":
                self.i += 1
                child = self.unary() if self.peek() not in (None, ")", "OR") else None
                return Not(child) if child is not None else self.dangling("NOT", "nothing after it")
            self.i += 1
            self.tokens.insert(self.i, tok[1:])
            child = self.unary()
            return Not(child) if child is not None else None
        return self.primary()

    def primary(self) -> Node | None:
        tok = self.tokens[self.i]
        self.i += 1
        if tok == "(":
            start = self.i
            inner = self.or_expr()
            if self.peek() == ")":
                self.i += 1
                return inner
            # Unbalanced: reread what followed it as ordinary tokens.
            self.i = start
            if self.repair:
                self.repairs.append(Repair("dropped", "(", "it is never closed"))
                return None
            return Text("(")
        if tok == '"':  # a lone quote mark
            return Text('"')
        if tok.startswith('"') and tok.endswith('"') and len(tok) >= 2:
            inner = tok[1:-1].strip()
            return Text(inner, quoted=True) if inner else None
        if tok == "-" and self.repair:
            self.repairs.append(Repair("dropped", "-", "nothing after it"))
            return None
        m = _PREFIX.match(tok)
        if m:
            return Text(m.group(1), prefix=True)
        return Text(tok)


def _combine(kind, nodes: list) -> Node | None:
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return kind(tuple(nodes))
