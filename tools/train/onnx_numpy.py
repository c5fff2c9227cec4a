#!/usr/bin/python3
"""A minimal ONNX interpreter in numpy, for the handful of operators the demonstration model uses (Conv,
BatchNormalization, Relu, ReduceLogSumExp, ReduceMean, GlobalAveragePool, Sub, Add, Identity, Constant). Debian has no
onnxruntime for Python; this lets evaluate.py compute the model card's figures from model.onnx itself rather than
from the training checkpoint. Unknown operators fail loudly."""
import numpy as np
import onnx
from onnx import numpy_helper


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, a):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    if a.get("group", 1) != 1:
        raise NotImplementedError("grouped convolution")
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    if (dh, dw) != (1, 1):
        raise NotImplementedError("dilated convolution")
    pt, pl, pb, pr = a.get("pads", [0, 0, 0, 0])
    xp = np.pad(x, ((0, 0), (0, 0), (pt, pb), (pl, pr)))
    oh = (h + pt + pb - kh) // sh + 1
    ow = (wd + pl + pr - kw) // sw + 1
    cols = np.empty((n, c, kh, kw, oh, ow), dtype=np.float32)
    for i in range(kh):
        for j in range(kw):
            cols[:, :, i, j] = xp[:, :, i:i + sh * oh:sh, j:j + sw * ow:sw]
    cols = cols.reshape(n, c * kh * kw, oh * ow)
    y = np.einsum("mk,nkp->nmp", w.reshape(m, -1), cols, optimize=True).reshape(n, m, oh, ow)
    if b is not None:
        y += b.reshape(1, -1, 1, 1)
    return y


class OnnxModel:
    def __init__(self, path):
        self.model = onnx.load(path)
        g = self.model.graph
        self.init = {t.name: numpy_helper.to_array(t).astype(np.float32) if numpy_helper.to_array(t).dtype == np.float64
                     else numpy_helper.to_array(t) for t in g.initializer}
        self.inputs = [i.name for i in g.input if i.name not in self.init]
        self.outputs = [o.name for o in g.output]

    def run(self, feeds):
        env = dict(self.init)
        env.update(feeds)
        for node in self.model.graph.node:
            a = _attrs(node)
            x = [env[i] if i else None for i in node.input]
            op = node.op_type
            if op == "Conv":
                y = _conv(x[0], x[1], x[2] if len(x) > 2 else None, a)
            elif op == "BatchNormalization":
                scale, bias, mean, var = (v.reshape(1, -1, 1, 1) for v in x[1:5])
                y = (x[0] - mean) / np.sqrt(var + a.get("epsilon", 1e-5)) * scale + bias
            elif op == "Relu":
                y = np.maximum(x[0], 0)
            elif op in ("ReduceLogSumExp", "ReduceMean"):
                axes = tuple(a["axes"]) if "axes" in a else tuple(x[1]) if len(x) > 1 and x[1] is not None else None
                keep = bool(a.get("keepdims", 1))
                if op == "ReduceMean":
                    y = np.mean(x[0], axis=axes, keepdims=keep)
                else:
                    mx = np.max(x[0], axis=axes, keepdims=True)
                    y = np.log(np.sum(np.exp(x[0] - mx), axis=axes, keepdims=True)) + mx
                    if not keep:
                        y = np.squeeze(y, axis=axes)
            elif op == "GlobalAveragePool":
                y = np.mean(x[0], axis=(2, 3), keepdims=True)
            elif op == "Sub":
                y = x[0] - x[1]
            elif op == "Add":
                y = x[0] + x[1]
            elif op == "Identity":
                y = x[0]
            elif op == "Constant":
                y = numpy_helper.to_array(a["value"]) if "value" in a else np.array(a.get("value_float"), dtype=np.float32)
            else:
                raise NotImplementedError(f"operator {op} is not supported by onnx_numpy")
            env[node.output[0]] = y.astype(np.float32) if isinstance(y, np.ndarray) and y.dtype == np.float64 else y
        return [env[o] for o in self.outputs]
