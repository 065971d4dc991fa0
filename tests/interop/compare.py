#!/usr/bin/env python3
"""Field-by-field comparison for scripts/test.d/45-edxml-official.sh.

    compare.py LABEL EXPECTED.json ACTUAL.json [--files DIR]

Every field of EXPECTED must be in ACTUAL with the same value, recursively (arrays: same
length, element by element). null and "" are the same: edXML has no difference and the
official builder leaves empty fields out. With --files DIR, the size and SHA-256 of each
attachment of ACTUAL are those of DIR/<file> (the files `vanthu edxml extract` wrote, unzipped
when the sender's library zipped them). Prints every difference; exit 1 if any.
"""
import hashlib
import json
import os
import sys


def blank(v):
    return v is None or v == ""


def diff(exp, act, path, out):
    if blank(exp):
        if not blank(act):
            out.append(f"{path}: expected nothing, got {act!r}")
    elif isinstance(exp, dict):
        if not isinstance(act, dict):
            out.append(f"{path}: expected an object, got {act!r}")
            return
        for k, v in exp.items():
            diff(v, act.get(k), f"{path}.{k}", out)
    elif isinstance(exp, list):
        if not isinstance(act, list) or len(act) != len(exp):
            out.append(f"{path}: expected {len(exp)} items, got {act!r}")
            return
        for i, (x, y) in enumerate(zip(exp, act)):
            diff(x, y, f"{path}[{i}]", out)
    elif exp != act:
        out.append(f"{path}: expected {exp!r}, got {act!r}")


def main():
    args = sys.argv[1:]
    files = None
    if "--files" in args:
        i = args.index("--files")
        files = args[i + 1]
        del args[i : i + 2]
    label, exp_path, act_path = args
    with open(exp_path, encoding="utf-8") as f:
        exp = json.load(f)
    with open(act_path, encoding="utf-8") as f:
        act = json.load(f)
    if files is not None:
        for a in act.get("attachments", []):
            if a.get("file"):
                data = open(os.path.join(files, a["file"]), "rb").read()
                a["size"] = len(data)
                a["sha256"] = hashlib.sha256(data).hexdigest()
    out = []
    diff(exp, act, label, out)
    for line in out:
        print(f"MISMATCH {line}", file=sys.stderr)
    sys.exit(1 if out else 0)


if __name__ == "__main__":
    main()
