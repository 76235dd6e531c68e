"""leaky_relu writes its own reply into the grader's pipe: an 8 MB frame whose 1000 arrays all
name the one 8 MB data block (decoded naively: 8 GB in the grader). Refused as a malformed
frame: the call crashes, and the grader copies the block at most once."""
import json
import os
import struct
import sys

import numpy as np

from _honest import relu, sigmoid, softmax, tanh  # noqa: F401


def _worker_locals():
    """The worker's reply descriptor and the request being served, found on the call stack."""
    frame = sys._getframe()
    while frame is not None:
        if isinstance(frame.f_locals.get("responses"), int) and "request" in frame.f_locals:
            return frame.f_locals["responses"], frame.f_locals["request"]
        frame = frame.f_back
    return None, None


def leaky_relu(x, alpha=0.1):
    fd, request = _worker_locals()
    if fd is not None:
        block = np.zeros(1 << 20, dtype=np.float64).tobytes()
        node = {"t": "ndarray", "dtype": "<f8", "shape": [1 << 20], "blob": 0}
        header = json.dumps({"id": request.get("id"), "status": "ok", "value": {"t": "list", "v": [node] * 1000},
                             "blob_sizes": [len(block)]}).encode()
        data = memoryview(struct.pack(">I", len(header)) + header + block)
        while data:
            data = data[os.write(fd, data):]
    return np.zeros_like(x)
