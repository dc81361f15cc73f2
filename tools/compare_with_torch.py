#!/usr/bin/python3
"""Compare an onnxify export with torch.onnx.export's, field by field.

    /usr/bin/python3 tools/compare_with_torch.py OURS.onnx TORCH.onnx

Prints the first difference of each part of the model and exits 1 if the two
differ anywhere but in the producer fields and the graph name (onnxify writes
its own producer, and the graph name of newer torch versions, "main_graph").
Exits 0 and prints "identical" otherwise.
"""
import sys

import onnx


def normalize(m):
    m.producer_name = ""
    m.producer_version = ""
    m.graph.name = ""
    return m


def first_difference(a, b, what):
    if len(a) != len(b):
        return "%s: %d vs %d entries" % (what, len(a), len(b))
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return "%s[%d]:\n--- onnxify\n%s\n--- torch\n%s" % (what, i, str(x)[:600], str(y)[:600])
    return None


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ours, theirs = (normalize(onnx.load(p)) for p in sys.argv[1:])
    if ours.SerializeToString() == theirs.SerializeToString():
        print("identical")
        return 0
    for field in ("ir_version", "opset_import", "domain", "doc_string", "metadata_props"):
        if getattr(ours, field) != getattr(theirs, field):
            print("%s: %r vs %r" % (field, getattr(ours, field), getattr(theirs, field)))
    for field in ("input", "output", "node", "initializer", "value_info"):
        d = first_difference(list(getattr(ours.graph, field)), list(getattr(theirs.graph, field)), field)
        if d:
            print(d)
    return 1


if __name__ == "__main__":
    sys.exit(main())
