#!/usr/bin/env python3
"""The shape of the source tree, checked: layering, sizes, and things that must exist once.

- Folders form one data flow, each including only itself and folders before it:
  core, data, onnxio (model in) -> composer -> models (golden) -> train (libtorch) -> generator
  -> sim -> synth -> report -> flow -> cli. No include cycle between files.
- No file in cli/ over 150 lines; no function in flow/ over 80 lines.
- Defined once in the C++ sources: the rnn_tile_ctrl instance, clog2, the synthesis block names,
  the accumulate-form names.
Prints one line per violation and exits 1 if there is any; prints a summary and exits 0 otherwise.
"""
import os
import re
import sys

ROOT = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", ".."))
ORDER = ["core", "data", "onnxio", "composer", "models", "train", "generator", "sim", "synth", "report", "flow", "cli"]
RANK = {f: i for i, f in enumerate(ORDER)}
problems = []


def sources():
    for folder in ORDER:
        d = os.path.join(ROOT, folder)
        for name in sorted(os.listdir(d)):
            if name.endswith((".h", ".cpp")) and not name.startswith("cosim_harness"):
                yield f"{folder}/{name}"


def read(rel):
    with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
        return f.read()


def strip(text):
    """Comments and string/char literals removed (newlines kept), for brace counting."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            out.append("\n" * text.count("\n", i, j))
            i = j + 2
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(]*)\(', text[i:])
            end = text.find(")" + m.group(1) + '"', i)
            out.append('""' + "\n" * text.count("\n", i, end))
            i = end + len(m.group(1)) + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


files = list(sources())
includes = {}
for rel in files:
    folder = rel.split("/")[0]
    deps = re.findall(r'^#include "([^"]+)"', read(rel), re.M)
    includes[rel] = [d for d in deps if os.path.exists(os.path.join(ROOT, d))]
    for d in includes[rel]:
        df = d.split("/")[0]
        if df in RANK and RANK[df] > RANK[folder]:
            problems.append(f"{rel}: includes {d}, a later stage ({df} comes after {folder})")

# Include cycles (depth-first search over headers).
state = {}


def visit(node, path):
    state[node] = 1
    for d in includes.get(node, []):
        if state.get(d) == 1:
            problems.append("include cycle: " + " -> ".join(path[path.index(d):] + [d]))
        elif d not in state:
            visit(d, path + [d])
    state[node] = 2


for rel in files:
    if rel not in state:
        visit(rel, [rel])

for rel in files:
    if rel.startswith("cli/"):
        lines = read(rel).count("\n")
        if lines > 150:
            problems.append(f"{rel}: {lines} lines (cli/ files bind options and print: at most 150)")

# Function bodies in flow/: a '{' opened at namespace depth that is not a namespace, class or
# struct, up to its matching '}'.
longest = ("", 0)
for rel in files:
    if not rel.startswith("flow/") or not rel.endswith(".cpp"):
        continue
    text = strip(read(rel))
    depth_stack, line = [], 1
    for i, c in enumerate(text):
        if c == "\n":
            line += 1
        elif c == "{":
            head = text[max(0, text.rfind("\n", 0, text.rfind("\n", 0, i)) ): i]
            in_code = any(kind == "fn" for kind, _ in depth_stack)
            kind = "block" if in_code else ("scope" if re.search(r"\b(namespace|struct|class|enum)\b[^;)]*$", head) else "fn")
            if not in_code and kind == "fn" and not re.search(r"\)\s*(const)?\s*(->\s*[\w:<>]+)?\s*$", head.strip()):
                kind = "scope"  # an initializer or a table, not a function
            depth_stack.append((kind, line))
        elif c == "}" and depth_stack:
            kind, start = depth_stack.pop()
            if kind == "fn":
                length = line - start + 1
                if length > longest[1]:
                    longest = (f"{rel}:{start}", length)
                if length > 80:
                    problems.append(f"{rel}:{start}: a function of {length} lines (flow/: at most 80)")


def count(pattern):
    hits = []
    for rel in files:
        for m in re.finditer(pattern, read(rel)):
            hits.append(rel)
    return hits


once = {
    "the rnn_tile_ctrl instance": r"rnn_tile_ctrl #\(",
    "clog2's definition": r"\bint clog2\(",
    "the block names": r'"ndcam"[\s\S]{0,120}"controller"',
    "the accumulate-form names": r'"direct"[\s\S]{0,80}"count"',
}
for what, pattern in once.items():
    hits = count(pattern)
    if len(hits) != 1:
        problems.append(f"{what} is written {len(hits)} times ({', '.join(hits) or 'nowhere'}), not once")

for p in problems:
    print(p)
cli_max = max(read(f).count("\n") for f in files if f.startswith("cli/"))
print(f"structure: {len(files)} source files in {len(ORDER)} folders; longest cli/ file {cli_max} lines; "
      f"longest flow/ function {longest[1]} lines ({longest[0]}); {len(problems)} problem(s)")
sys.exit(1 if problems else 0)
