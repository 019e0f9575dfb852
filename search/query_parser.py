"""Reading what a user typed: words (AND), "quoted phrases", OR, -word / NOT, parentheses, and field filters.

The grammar is forgiving, because a mistyped query is not an error: an unbalanced quote or parenthesis, or an
operator with nothing to apply to, is read as text. Only a query that cannot mean anything (an unknown field,
nothing left to search) raises BadQuery with a one-line explanation.

    query   := or_expr
    or_expr := and_expr ("OR" and_expr)*
    and_expr:= unary (["AND"] unary)*
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or_expr ")" | "\"phrase\"" | field ":" value | word
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


@dataclass
class ParsedQuery:
    tree: Node | None  # None when the query holds only filters
    filters: dict[str, list[str]] = field(default_factory=dict)


# Full-width forms of the syntax characters count as the syntax (a Chinese keyboard types “ ” （ ） ：).
_SYNTAX_WIDTH = str.maketrans({"“": '"', "”": '"', "＂": '"', "（": "(", "）": ")", "－": "-"})
_TOKEN = re.compile(r'"[^"]*"|\(|\)|[^\s()"]+|"')
_FIELD = re.compile(r"^([A-Za-z]+):(.+)$")


def parse(raw: str) -> ParsedQuery:
    tokens = _TOKEN.findall(raw.translate(_SYNTAX_WIDTH))
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
    parser = _Parser(rest)
    tree = parser.parse()
    return ParsedQuery(tree, filters)


class _Parser:
    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.i = 0

    def parse(self) -> Node | None:
        nodes = []
        while self.i < len(self.tokens):
            node = self.or_expr()
            if node is not None:
                nodes.append(node)
            elif self.i < len(self.tokens):
                # A stray closing parenthesis: read it as text.
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
                # "a OR" with nothing after: the OR is a word of the last branch.
                last = branches.pop() if branches else None
                branches.append(_combine(And, [last, Text("OR")]))
                break
            if not branches:
                branches.append(Text("OR"))
                branches = [_combine(And, branches)]
            branches.append(right)
        return _combine(Or, branches)

    def and_expr(self) -> Node | None:
        nodes = []
        while True:
            tok = self.peek()
            if tok is None or tok == ")" or (tok == "OR" and nodes):
                break
            if tok == "OR":  # leading OR: a word
                self.i += 1
                nodes.append(Text("OR"))
                continue
            if tok == "AND" and nodes and self.i + 1 < len(self.tokens) and self.tokens[self.i + 1] not in (")", "OR"):
                # "a AND b" means what "a b" means; AND with nothing on one side is a word.
                self.i += 1
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
                return Not(child) if child is not None else Text("NOT")
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
            # Unbalanced: the parenthesis is text; reread what followed it as ordinary tokens.
            self.i = start
            return Text("(")
        if tok == '"':  # a lone quote mark
            return Text('"')
        if tok.startswith('"') and tok.endswith('"') and len(tok) >= 2:
            inner = tok[1:-1].strip()
            return Text(inner, quoted=True) if inner else None
        return Text(tok)


def _combine(kind, nodes: list) -> Node | None:
    nodes = [n for n in nodes if n is not None]
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return kind(tuple(nodes))
