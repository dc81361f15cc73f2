"""Tiny reader/writer for the safetensors format (no dependency on the `safetensors` package).

Layout of a safetensors blob:

    u64 little-endian N | N bytes of JSON header | data

The header maps tensor names to {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}
(offsets relative to the start of the data section) and may hold a "__metadata__" object of
string -> string. The writer here:

* pads the header with spaces to a multiple of 8 bytes, so the data section starts 8-aligned;
* lays tensors out by decreasing element size (stable: otherwise in the given order), so every
  tensor starts at an offset that is a multiple of its element size (readers may borrow the
  bytes in place);
* writes the header with `__metadata__` first, then tensors in data order, compact JSON:
  the same input always gives the same bytes.

API:
    write(path_or_None, tensors, metadata=None) -> bytes
        tensors: dict name -> torch.Tensor | numpy.ndarray | (dtype_code, shape, bytes)
    read(path_or_bytes) -> (dict name -> (dtype_code, shape, memoryview), metadata)
    read_torch(path_or_bytes) -> dict name -> torch.Tensor  (needs torch)
"""

import json
import struct

# safetensors dtype code -> (numpy dtype string, element size, torch dtype name)
DTYPES = {
    "F64": ("<f8", 8, "float64"),
    "F32": ("<f4", 4, "float32"),
    "F16": ("<f2", 2, "float16"),
    "BF16": (None, 2, "bfloat16"),
    "I64": ("<i8", 8, "int64"),
    "I32": ("<i4", 4, "int32"),
    "I16": ("<i2", 2, "int16"),
    "I8": ("i1", 1, "int8"),
    "U8": ("u1", 1, "uint8"),
    "BOOL": ("?", 1, "bool"),
    "C64": ("<c8", 8, "complex64"),
    "C128": ("<c16", 16, "complex128"),
}

# graph-description dtype name -> safetensors code
NAME_TO_CODE = {v[2]: k for k, v in DTYPES.items()}


def _itemsize(code):
    return DTYPES[code][1]


def _numel(shape):
    n = 1
    for d in shape:
        n *= int(d)
    return n


def tensor_to_raw(t):
    """(code, shape, little-endian bytes) of a torch tensor or numpy array (or a raw triple)."""
    if isinstance(t, tuple):
        code, shape, data = t
        return code, [int(d) for d in shape], bytes(data)
    mod = type(t).__module__
    if mod.startswith("torch"):
        import torch  # local: the reader part works without torch

        t = t.detach().cpu().contiguous()
        name = str(t.dtype).replace("torch.", "")
        if name not in NAME_TO_CODE:
            raise ValueError("safetensors: unsupported torch dtype %s" % t.dtype)
        code = NAME_TO_CODE[name]
        shape = list(t.shape)
        if t.dtype == torch.bfloat16:
            data = t.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            data = t.numpy().astype(DTYPES[code][0], copy=False).tobytes()
        return code, shape, data
    # numpy
    import numpy as np

    a = np.ascontiguousarray(t)
    for code, (np_dt, _, _) in DTYPES.items():
        if np_dt is not None and np.dtype(np_dt).kind == a.dtype.kind and \
                np.dtype(np_dt).itemsize == a.dtype.itemsize:
            return code, list(a.shape), a.astype(np_dt, copy=False).tobytes()
    raise ValueError("safetensors: unsupported numpy dtype %s" % a.dtype)


def dumps(tensors, metadata=None):
    """Serialize to bytes (deterministic)."""
    raws = []
    for i, (name, t) in enumerate(tensors.items()):
        if not isinstance(name, str) or name == "__metadata__":
            raise ValueError("safetensors: bad tensor name %r" % (name,))
        code, shape, data = tensor_to_raw(t)
        if len(data) != _numel(shape) * _itemsize(code):
            raise ValueError("safetensors: %s: %d bytes for %s%s" % (name, len(data), code, shape))
        raws.append((-_itemsize(code), i, name, code, shape, data))
    raws.sort(key=lambda r: (r[0], r[1]))
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    offset = 0
    for _, _, name, code, shape, data in raws:
        header[name] = {"dtype": code, "shape": shape,
                        "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    hjson = json.dumps(header, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    hjson += b" " * ((8 - len(hjson) % 8) % 8)
    parts = [struct.pack("<Q", len(hjson)), hjson]
    parts.extend(r[5] for r in raws)
    return b"".join(parts)


def write(path, tensors, metadata=None):
    """Write `tensors` to `path` (if not None) and return the bytes."""
    blob = dumps(tensors, metadata)
    if path is not None:
        with open(path, "wb") as f:
            f.write(blob)
    return blob


def loads(blob):
    """Parse bytes -> (dict name -> (code, shape, memoryview of the data), metadata).

    Raises ValueError on a truncated or inconsistent blob."""
    mv = memoryview(blob)
    if len(mv) < 8:
        raise ValueError("safetensors: truncated (no header length)")
    (n,) = struct.unpack_from("<Q", mv, 0)
    if 8 + n > len(mv):
        raise ValueError("safetensors: header length %d exceeds blob size %d" % (n, len(mv)))
    try:
        header = json.loads(bytes(mv[8:8 + n]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise ValueError("safetensors: bad header JSON: %s" % e)
    if not isinstance(header, dict):
        raise ValueError("safetensors: header is not an object")
    data = mv[8 + n:]
    metadata = header.pop("__metadata__", None) or {}
    out = {}
    for name, info in header.items():
        try:
            code = info["dtype"]
            shape = [int(d) for d in info["shape"]]
            b, e = (int(x) for x in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("safetensors: bad entry for %r" % name)
        if code not in DTYPES:
            raise ValueError("safetensors: %s: unknown dtype %s" % (name, code))
        if not (0 <= b <= e <= len(data)):
            raise ValueError("safetensors: %s: data_offsets [%d, %d] outside data of %d bytes"
                             % (name, b, e, len(data)))
        if e - b != _numel(shape) * _itemsize(code):
            raise ValueError("safetensors: %s: %d bytes for %s%s" % (name, e - b, code, shape))
        out[name] = (code, shape, data[b:e])
    return out, metadata


def read(path_or_bytes):
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return loads(path_or_bytes)
    with open(path_or_bytes, "rb") as f:
        return loads(f.read())


def read_torch(path_or_bytes):
    """dict name -> torch.Tensor (copies)."""
    import numpy as np
    import torch

    tensors, _ = read(path_or_bytes)
    out = {}
    for name, (code, shape, data) in tensors.items():
        if code == "BF16":
            a = np.frombuffer(data, dtype="<i2").copy()
            out[name] = torch.from_numpy(a).view(torch.bfloat16).reshape(shape)
        else:
            a = np.frombuffer(data, dtype=DTYPES[code][0]).copy()
            out[name] = torch.from_numpy(a).reshape(shape)
    return out
