"""The syntax-tree walks of a tensor query (matcalc/tensor_query.py): every node in
post-order, the nodes over a tensor, the scaled sum/mean at the top, and a tree with some
nodes replaced — iterative, since a long chain is a deep left spine."""

from __future__ import annotations

from .records import replace
from .syntax import Syntax

__all__ = ["containing", "names_in", "rewrite", "top_of", "walk"]


def walk(root: Syntax) -> list:
    """Every node, children before parents (iterative: chains are long left spines)."""
    out, stack = [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if done:
            out.append(node)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in node.children)
    return out


def names_in(root: Syntax) -> list:
    """The names the expression mentions, in order of first appearance (a call's function
    name is its value, not a child: not among them)."""
    out: list = []
    stack = [root]
    while stack:
        here = stack.pop()
        if not isinstance(here, Syntax):
            continue
        if here.kind == "name" and here.value not in out:
            out.append(here.value)
        stack.extend(reversed(here.children))
    return out


def containing(root: Syntax, names: set) -> set:
    """ids of the nodes whose subtree names a tensor."""
    inside: set = set()
    for node in walk(root):
        if (
            node.kind == "name"
            and node.value in names
            or any(id(c) in inside for c in node.children)
        ):
            inside.add(id(node))
    return inside


def top_of(root: Syntax, inside: set) -> tuple[list, Syntax | None]:
    """The scaling wrappers (sign, factor, divisor) above a top-level sum/mean of the
    slices, and that reduction (None if the top is not one)."""
    wrappers, node = [], root
    while True:
        if node.kind == "call" and node.value in ("sum", "mean") and len(node.children) == 1:
            return wrappers, node
        if node.kind == "neg":
            wrappers.append(node)
            node = node.children[0]
        elif node.kind == "binary" and node.value in ("*", "/"):
            left, right = (id(c) in inside for c in node.children)
            if left and not right:
                wrappers.append(node)
                node = node.children[0]
            elif right and not left and node.value == "*":
                wrappers.append(node)
                node = node.children[1]
            else:
                return [], None
        else:
            return [], None


def rewrite(root: Syntax, rewrites: dict) -> Syntax:
    """The tree with each node whose id is in `rewrites` replaced (children rewritten too)."""
    if not rewrites:
        return root
    done: dict = {}
    for node in walk(root):
        target = rewrites.get(id(node), node)
        if target is not node:
            for inner in walk(target):  # a replacement's own subtree, built afresh
                if id(inner) not in done:
                    kids = tuple(done.get(id(c), c) for c in inner.children)
                    done[id(inner)] = (
                        replace(inner, children=kids) if kids != inner.children else inner
                    )
            done[id(node)] = done[id(target)]
            continue
        kids = tuple(done.get(id(c), c) for c in node.children)
        done[id(node)] = replace(node, children=kids) if kids != node.children else node
    return done[id(root)]
