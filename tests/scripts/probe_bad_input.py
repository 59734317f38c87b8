#!/usr/bin/env python3
"""Bad input, as a new user would give it: corrupt and truncated models, data and artifacts,
impossible parameters, broken flow configurations, output paths that name inputs or the user's
own files. Every case must end in exit 2 with one message naming the file or flag, within a
time limit, without a crash, and without changing any file outside the run's own output.

  tests/scripts/probe_bad_input.py build/rapidnn WORKDIR

Prints one line per failing case and a count; exits 1 if any case failed.
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

BIN = os.path.abspath(sys.argv[1])
WORK = os.path.abspath(sys.argv[2])
LIMIT = 60  # seconds per case
shutil.rmtree(WORK, ignore_errors=True)
os.makedirs(WORK)
W = lambda *p: os.path.join(WORK, *p)


def run(args, timeout=LIMIT):
    return subprocess.run([BIN] + args, cwd=WORK, capture_output=True, text=True, timeout=timeout)


def must(args):
    r = run(args, timeout=600)
    if r.returncode != 0:
        sys.exit(f"probe setup failed: rapidnn {' '.join(args)}\n{r.stdout}{r.stderr}")


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


# --- The good inputs every case starts from: a CSV dataset, a small trained model, its artifact and RTL.
rows = lambda n, seed: "".join(",".join(str((i * 37 + f * 11 + seed) % 256) for f in range(16)) + f",{i % 3}\n"
                               for i in range(n))
write(W("data", "train.csv"), rows(90, 1))
write(W("data", "test.csv"), rows(60, 2))
must(["train", "--arch", "mlp:16-8-3", "-d", "data", "--epochs", "1", "--validation", "10", "-j", "1", "-o", "model.onnx"])
must(["compose", "-m", "model.onnx", "-d", "data", "--w", "4", "--u", "4", "--q", "8", "-j", "1", "-o", "art"])
must(["emit", "-c", "art", "-o", "rtl", "--lanes", "4", "--rna-share", "2"])
os.makedirs(W("mine"))
write(W("mine", "thesis.tex"), "my own work\n")
write(W("notes.txt"), "keep me\n")
model = open(W("model.onnx"), "rb").read()


def snapshot():
    out = {}
    for root, dirs, files in os.walk(WORK):
        if os.path.relpath(root, WORK).split(os.sep)[0] == "cases":
            continue
        for f in files:
            p = os.path.join(root, f)
            out[os.path.relpath(p, WORK)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    return out


cases = []  # (name, args, token the message must name)


def case(name, args, token):
    cases.append((name, args, token))


def scratch(name):
    d = W("cases", name)
    os.makedirs(d, exist_ok=True)
    return d


def bad_file(name, data):
    p = W("cases", "inputs", name)
    write(p, data.encode() if isinstance(data, str) else data, "wb")
    return p


# --- Models: missing, empty, truncated, garbage, a directory, a wrong extension; through three commands.
models = {"missing": W("none.onnx"), "dir": W("mine"), "empty": bad_file("empty.onnx", b""),
          "garbage": bad_file("garbage.onnx", bytes(range(256)) * 8), "text": bad_file("model.txt", b"not a model")}
for cut in [1, 2, 5, 10, 50, 100, 200, 400, len(model) // 3, len(model) // 2, len(model) - 50, len(model) - 4]:
    models[f"cut{cut}"] = bad_file(f"cut{cut}.onnx", model[:cut])
for name, path in models.items():
    case(f"inspect model {name}", ["inspect", path], path)
    case(f"eval model {name}", ["eval", "-m", path, "-d", "data"], path)
    case(f"compose model {name}", ["compose", "-m", path, "-d", "data", "--w", "4", "--u", "4", "-o",
                                    scratch(f"cm-{name}") + "/out"], path)

# --- Datasets: broken CSV and IDX in every way, through eval and compose.
good = rows(20, 3)
datasets = {
    "missing": W("nodata.csv"),
    "empty": bad_file("empty.csv", ""),
    "ragged": bad_file("ragged.csv", good + "1,2,3\n"),
    "words": bad_file("words.csv", good + "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,1\n"),
    "nan": bad_file("nan.csv", ",".join(["nan"] * 16) + ",1\n" + good),
    "inf": bad_file("inf.csv", ",".join(["inf"] * 16) + ",1\n" + good),
    "negative-label": bad_file("neglabel.csv", good + ",".join(["1"] * 16) + ",-1\n"),
    "fraction-label": bad_file("fraclabel.csv", good + ",".join(["1"] * 16) + ",1.5\n"),
    "big-label": bad_file("biglabel.csv", good + ",".join(["1"] * 16) + ",7\n"),
    "wide": bad_file("wide.csv", "".join(",".join(["1"] * 20) + ",1\n" for _ in range(5))),
    "idx-truncated": bad_file("idx1/t10k-images-idx3-ubyte", b"\x00\x00\x08\x03\x00\x00\x00\x05"),
    "idx-magic": bad_file("idx2/t10k-images-idx3-ubyte", b"\x01\x02\x03\x04" + b"\x00" * 40),
    "idx-no-labels": bad_file("idx3/t10k-images-idx3-ubyte",
                              b"\x00\x00\x08\x03\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x04" + b"\x00" * 16),
}
for name in ["idx-truncated", "idx-magic", "idx-no-labels"]:
    datasets[name] = os.path.dirname(datasets[name])
for name, path in datasets.items():
    case(f"eval data {name}", ["eval", "-m", "model.onnx", "-d", path], path)
    case(f"compose data {name}", ["compose", "-m", "model.onnx", "-d", path, "--w", "4", "--u", "4", "-o",
                                   scratch(f"cd-{name}") + "/out"], path)
fractional = bad_file("fraction.csv", "".join(",".join(["0.5"] * 16) + ",1\n" for _ in range(20)))
case("compose non-integer features", ["compose", "-m", "model.onnx", "-d", fractional, "-o", scratch("frac") + "/o"],
     fractional)
case("golden labels beyond classes", ["golden", "-c", "art", "-d", datasets["big-label"]], datasets["big-label"])
case("golden nan features", ["golden", "-c", "art", "-d", datasets["nan"]], datasets["nan"])

# --- Artifacts: a broken manifest or table in every way, through inspect, golden and emit.
manifest = json.load(open(W("art", "manifest.json")))


def bad_artifact(name, edit=None, files=None):
    d = W("cases", "arts", name)
    shutil.copytree(W("art"), d)
    if edit is not None:
        m = json.loads(json.dumps(manifest))
        edit(m)
        write(os.path.join(d, "manifest.json"), json.dumps(m))
    for f, data in (files or {}).items():
        p = os.path.join(d, f)
        if data is None:
            os.remove(p)
        else:
            write(p, data)
    return d


def stage1(key, value):
    def edit(m):
        m["stages"][0][key] = value
    return edit


def set_(path, value):
    def edit(m):
        o = m
        for k in path[:-1]:
            o = o[k]
        o[path[-1]] = value
    return edit


arts = {
    "no-manifest": bad_artifact("nomanifest", files={"manifest.json": None}),
    "manifest-not-json": bad_artifact("notjson", files={"manifest.json": "{\"format\": "}),
    "wrong-format": bad_artifact("format", set_(["format"], "something-else")),
    "wrong-version": bad_artifact("version", set_(["version"], 99)),
    "fractional-units": bad_artifact("units", stage1("units", 2.5)),
    "w-not-power-of-two": bad_artifact("wpow", stage1("w", 3)),
    "scale-zero": bad_artifact("scale0", stage1("scale", 0)),
    "scale-negative": bad_artifact("scaleneg", stage1("scale", -1.0)),
    "acc-too-narrow": bad_artifact("accnarrow", stage1("acc_bits", 3)),
    "huge-units": bad_artifact("hugeunits", stage1("units", 2 ** 40)),
    "table-deleted": bad_artifact("nobias", files={"s0_bias.hex": None}),
    "table-corrupt": bad_artifact("corrupt", files={"s0_product.hex": "// x\nzz\n"}),
    "no-stages": bad_artifact("nostages", set_(["stages"], [])),
    "raw-bits": bad_artifact("rawbits", set_(["input", "raw_bits"], 40)),
}
for name, path in arts.items():
    case(f"inspect artifact {name}", ["inspect", path], path)
    case(f"golden artifact {name}", ["golden", "-c", path, "-d", "data"], path)
    case(f"emit artifact {name}", ["emit", "-c", path, "-o", scratch(f"ea-{name}") + "/rtl"], path)

# --- Impossible parameters, each naming its flag.
cm = ["compose", "-m", "model.onnx", "-d", "data", "-o"]
for flag, values in {"--w": ["3", "0", "512", "-4", "abc"], "--u": ["5", "1", "1024"], "--q": ["1", "5000"],
                     "--product-bits": ["3", "32"], "--sample": ["0", "1.5", "nan"], "--scale": ["nan", "inf", "0"],
                     "--offset": ["nan"], "--calibration": ["0", "-1"], "--seed": ["-1"], "-j": ["100000", "-1"],
                     "--codebook": ["kmeans"]}.items():
    for v in values:
        case(f"compose {flag} {v}", cm + [scratch(f"p-{flag}-{v}") + "/o", flag, v], flag.lstrip("-") if flag != "-j" else "threads")
em = ["emit", "-c", "art", "-o"]
for flag, values in {"--lanes": ["0", "-1", "99999999"], "--rna-share": ["0", "100000000"],
                     "--top": ["module", "wire", "rnn_rna", "9abc", "a-b", "synth_x"], "--accumulate": ["sideways"]}.items():
    for v in values:
        case(f"emit {flag} {v}", em + [scratch(f"e-{flag}-{v}") + "/r", flag, v], flag.lstrip("-") if flag != "--top" else v)
co = ["cosim", "-c", "art", "-r", "rtl", "-d", "data", "--samples", "5"]
for flag, v in [("--stall-in", "nan"), ("--stall-in", "1.5"), ("--stall-out", "-0.1"), ("--stall-out", "nan"),
                ("--trace-image", "99"), ("--simulator", "modelsim"), ("-j", "0"), ("--seed", "-3")]:
    extra = ["--trace", scratch(f"c{flag}{v}") + "/w.fst"] if flag == "--trace-image" else []
    case(f"cosim {flag} {v}", co + extra + [flag, v], flag.lstrip("-") if flag != "-j" else "jobs")
sy = ["synth", "-c", "art", "-r", "rtl", "--work-dir"]
for flag, v in [("--period", "0"), ("--period", "-5"), ("--period", "nan"), ("--activity", "2"), ("--activity", "nan"),
                ("--block", "alu"), ("--memories", "ram")]:
    case(f"synth {flag} {v}", sy + [scratch(f"s{flag}{v}") + "/w", "--json", scratch(f"s{flag}{v}") + "/r.json", flag, v],
         flag.lstrip("-"))
tr = ["train", "-d", "data", "--arch", "mlp:16-8-3", "-o"]
for flag, v in [("--batch", "0"), ("--epochs", "0"), ("--threads", "100000"), ("--lr", "0"), ("--dropout", "1"),
                ("--arch", "mlp:16-100000000-3"), ("--arch", "mlp:16"), ("--arch", "rnn:16-3"), ("--arch", "mlp:16-x-3"),
                ("--validation", "-5"), ("--seed", "-1")]:
    case(f"train {flag} {v}", tr + [scratch(f"t{flag}{v}") + "/m.onnx", flag, v], flag.lstrip("-"))
for flag, v in [("--accumulate", "sideways"), ("--am", "three-block"), ("-j", "100000"), ("--samples", "abc")]:
    case(f"golden {flag} {v}", ["golden", "-c", "art", "-d", "data", flag, v], flag.lstrip("-") if flag != "-j" else "threads")
case("eval -j 100000", ["eval", "-m", "model.onnx", "-d", "data", "-j", "100000"], "threads")
case("eval --split other", ["eval", "-m", "model.onnx", "-d", "data", "--split", "other"], "split")
case("sweep --w 3", ["sweep", "-m", "model.onnx", "-d", "data", "--w", "3", "--csv", scratch("sw") + "/s.csv"], "w")
case("golden --scale (the artifact fixes the preprocessing)", ["golden", "-c", "art", "-d", "data", "--scale", "2"], "scale")
case("cosim --offset (the artifact fixes the preprocessing)", co + ["--offset", "1"], "offset")
case("unknown command", ["frobnicate"], "frobnicate")
case("unknown flag", ["compose", "-m", "model.onnx", "-d", "data", "--frobnicate"], "frobnicate")

# --- Flow configurations, each naming its key and the file.
base = {"model": W("model.onnx"), "dataset": W("data"), "compose": {"w": 4, "u": 4}, "rtl": {"lanes": 4, "rna_share": 2},
        "sweep": {"enabled": False}, "cosim": {"enabled": False}, "synth": {"enabled": False}}
configs = {
    "q overflow": ({"compose": {"q": 2 ** 33 + 64}}, "compose.q"),
    "lanes overflow": ({"rtl": {"lanes": 10 ** 10}}, "rtl.lanes"),
    "lanes zero": ({"rtl": {"lanes": 0}}, "rtl.lanes"),
    "product bits 33": ({"compose": {"product_bits": 33}}, "compose.product_bits"),
    "simulator": ({"cosim": {"enabled": True, "simulator": "modelsim"}}, "cosim.simulator"),
    "blocks": ({"synth": {"enabled": True, "blocks": ["alu"]}}, "synth.blocks"),
    "memories": ({"synth": {"enabled": True, "memories": "ram"}}, "synth.memories"),
    "unknown key": ({"flavour": 1}, "flavour"),
    "wrong type": ({"compose": {"w": "four"}}, "compose.w"),
    "w 3": ({"compose": {"w": 3}}, "compose"),
    "codebook": ({"compose": {"codebook": "kmeans"}}, "compose.codebook"),
    "accumulate": ({"rtl": {"accumulate": "fast"}}, "rtl.accumulate"),
    "top": ({"rtl": {"top": "module"}}, "module"),
    "missing model": ({"model": W("none.onnx")}, "model"),
    "corrupt model": ({"model": models["cut100"]}, "cut100.onnx"),
    "missing dataset": ({"dataset": W("nodata")}, "dataset"),
    "samples negative": ({"cosim": {"enabled": True, "samples": -3}}, "cosim.samples"),
    "period zero": ({"synth": {"enabled": True, "period_ns": 0}}, "synth.period_ns"),
    "activity 2": ({"synth": {"enabled": True, "activity": 2}}, "synth.activity"),
    "dropout 1": ({"model": "", "train": {"dropout": 1}}, "train.dropout"),
}
for name, (override, token) in configs.items():
    cfg = json.loads(json.dumps(base))
    for k, v in override.items():
        if isinstance(v, dict) and isinstance(cfg.get(k), dict):
            cfg[k].update(v)
        else:
            cfg[k] = v
    d = scratch("flow-" + name.replace(" ", "-"))
    cfg["out"] = d + "/out"
    write(d + "/flow.json", json.dumps(cfg))
    case(f"flow {name}", ["flow", d + "/flow.json"], token)
for name, text in [("not json", "{\"out\": "), ("array", "[1, 2]"), ("string", "\"flow\"")]:
    d = scratch("flow-" + name.replace(" ", "-"))
    write(d + "/flow.json", text)
    case(f"flow {name}", ["flow", d + "/flow.json"], d + "/flow.json")
case("flow missing config", ["flow", W("none.json")], "none.json")

# --- Output paths that would destroy something: refused, whatever they name.
case("compose -o the model", ["compose", "-m", "model.onnx", "-d", "data", "-o", "model.onnx"], "model.onnx")
case("compose -o a file", ["compose", "-m", "model.onnx", "-d", "data", "-o", "notes.txt"], "notes.txt")
case("compose -o the user's directory", ["compose", "-m", "model.onnx", "-d", "data", "-o", "mine"], "mine")
case("compose -o the dataset", ["compose", "-m", "model.onnx", "-d", "data", "-o", "data"], "data")
case("compose -o the RTL", ["compose", "-m", "model.onnx", "-d", "data", "-o", "rtl"], "rtl")
case("emit -o the artifact", ["emit", "-c", "art", "-o", "art"], "art")
case("emit -o the user's directory", ["emit", "-c", "art", "-o", "mine"], "mine")
case("sweep --csv the model", ["sweep", "-m", "model.onnx", "-d", "data", "--w", "2,4", "--csv", "model.onnx"], "model.onnx")
case("sweep --csv a directory", ["sweep", "-m", "model.onnx", "-d", "data", "--w", "2,4", "--csv", "mine"], "mine")
case("cosim --build-dir the RTL", co + ["--build-dir", "rtl"], "rtl")
case("cosim --build-dir the user's directory", co + ["--build-dir", "mine"], "mine")
gs = ["gatesim", "-c", "art", "-r", "rtl", "-d", "data", "--samples", "5"]
case("gatesim --build-dir the user's directory", gs + ["--build-dir", "mine"], "mine")
case("gatesim --build-dir the RTL", gs + ["--build-dir", "rtl"], "rtl")
case("gatesim --netlist a missing file", gs + ["--netlist", "nope.v"], "nope.v")
case("gatesim --netlist not a netlist", gs + ["--netlist", "notes.txt"], "notes.txt")
lay = ["layout", "-c", "art", "-r", "rtl"]
case("layout -o the user's directory", lay + ["-o", "mine"], "mine")
case("layout -o the RTL", lay + ["-o", "rtl"], "rtl")
case("layout --block unknown", lay + ["--block", "alu"], "block")
case("layout --density 3", lay + ["--density", "3"], "density")
case("layout --placement-fast 0", lay + ["--placement-fast", "0"], "placement-fast")
case("gatesim -j 0", gs + ["--netlist", "nope.v", "-j", "0"], "jobs")
case("synth --work-dir the user's directory", ["synth", "-c", "art", "-r", "rtl", "--block", "mac", "--work-dir", "mine"], "mine")
case("synth --json the artifact manifest", ["synth", "-c", "art", "-r", "rtl", "--json", "art/manifest.json"], "manifest.json")
case("flow --out the user's directory", ["flow", "--model", "model.onnx", "--dataset", "data", "--out", "mine"], "mine")
case("eval --json the model", ["eval", "-m", "model.onnx", "-d", "data", "--json", "model.onnx"], "model.onnx")
case("golden --dump the dataset", ["golden", "-c", "art", "-d", "data/test.csv", "--dump", "data/test.csv"], "test.csv")
case("train -o the dataset", ["train", "-d", "data", "--arch", "mlp:16-8-3", "--epochs", "1", "-o", "data/train.csv"],
     "train.csv")
case("cosim with another artifact's RTL", ["cosim", "-c", arts["scale-zero"].replace("scale0", "scale0"), "-r", "rtl", "-d",
                                           "data"], "scale0")

before = snapshot()
failed = 0
t0 = time.time()
for name, args, token in cases:
    try:
        r = run(args)
        out = r.stdout + r.stderr
        problems = []
        if r.returncode != 2:
            problems.append(f"exit {r.returncode}, not 2")
        if "internal error" in out or "terminate called" in out or "Segmentation" in out:
            problems.append("crashed")
        if token not in out:
            problems.append(f"the message does not name {token!r}")
        if out.count("rapidnn: error") > 1:
            problems.append("more than one message")
    except subprocess.TimeoutExpired:
        problems, out = [f"no answer within {LIMIT} s"], ""
    after = snapshot()
    if after != before:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        problems.append("changed files outside its output: " + ", ".join(changed[:5]))
        before = after
    if problems:
        failed += 1
        print(f"FAIL {name}: {'; '.join(problems)}\n     rapidnn {' '.join(args)}\n     {out.strip()[:400]}")
print(f"bad-input probe: {len(cases)} cases, {len(cases) - failed} passed, {failed} failed ({time.time() - t0:.0f} s)")
print(f"{len(cases) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
