#!/usr/bin/env python3
"""layers.py [SRC]: check that src/ depends downward only, without cycles.

src/ is in folders by layer, lowest first:
    util < core < net < http < files < api
(src/include holds the installed headers, which anyone may include).
A file may include a header, and call a function (cw_*, mg_*, civetd_*)
defined, in its own layer or a lower one; anything that reaches up a layer
is printed as "file: include|call X (layer) from layer". Within a layer,
modules (foo.c with foo.h) may call each other, but never in a cycle: each
set of modules that call each other round is printed as "cycle: a b c".
Either makes the script exit 1. A call is a name followed by "(" outside
comments, owned by the one module that defines it (Universal Ctags)."""
import os
import re
import subprocess
import sys

LAYERS = ["util", "core", "net", "http", "files", "api"]
src = sys.argv[1] if len(sys.argv) > 1 else "src"


def layer_of(path):
    rel = os.path.relpath(path, src).split(os.sep)
    return LAYERS.index(rel[0]) if rel[0] in LAYERS else None


files = []
for root, _, names in os.walk(src):
    files += [os.path.join(root, n) for n in names if n.endswith((".c", ".h"))]
unknown = [f for f in files if layer_of(f) is None and
           os.path.relpath(f, src).split(os.sep)[0] != "include"]
if unknown:
    print("not in a layer folder:", " ".join(sorted(unknown)))
    sys.exit(1)

out = subprocess.run(["ctags", "-x", "--c-kinds=f", "--_xformat=%N %F"] + files,
                     capture_output=True, text=True, check=True).stdout
owners = {}
for line in out.splitlines():
    name, _, path = line.partition(" ")
    if re.match(r"(cw|mg|civetd)_", name):
        owners.setdefault(name, set()).add(path)

call = re.compile(r"\b((?:cw|mg|civetd)_\w+)\s*\(")
module = lambda f: os.path.splitext(f)[0]
edges = {}
include = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
bad = []
for f in sorted(files):
    mine = layer_of(f)
    if mine is None:
        continue
    text = open(f, errors="replace").read()
    for inc in include.findall(text):
        top = inc.split("/")[0]
        if top in LAYERS and LAYERS.index(top) > mine:
            bad.append(f"{f}: include {inc} ({top}) from {LAYERS[mine]}")
    code = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    for name in sorted(set(call.findall(code))):
        paths = owners.get(name, set())
        if len(paths) != 1:
            continue
        target = next(iter(paths))
        if module(target) != module(f):
            edges.setdefault(module(f), set()).add(module(target))
        owner = layer_of(target)
        if owner is not None and owner > mine:
            bad.append(f"{f}: call {name} ({LAYERS[owner]}) from "
                       f"{LAYERS[mine]}")


def cycles(graph):
    """Strongly connected sets of two or more modules (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


for c in cycles(edges):
    bad.append("cycle: " + " ".join(c))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
