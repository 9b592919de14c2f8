"""Run a torch network with ONNX Runtime on the CPU (the detector's and the policy's `onnxruntime` runtime).

The network (float32, eval mode) is exported once at load to an in-memory ONNX graph for one fixed input
shape and run by an onnxruntime.InferenceSession: same weights and outputs (to float32 rounding), far
less per-op overhead than eager torch. On this project's 2-core CPU, one thread each: YOLOv8n at 320 px
22 ms per frame against 32 ms in torch (docs/detection.md); a state-mode ACT query 0.44 ms against 1.9 ms
(docs/policy.md).
"""

from __future__ import annotations

import io
import warnings

import numpy as np
import torch

INPUT_NAME = "input"
ONNX_OPSET = 17


class OnnxRuntimeNetwork:
    """Callable like the torch network on one float32 tensor of the example's shape → its first output as
    a tensor."""

    def __init__(self, network: torch.nn.Module, example: torch.Tensor, threads: int = 0):
        """example: an input of the shape every call will have; threads: intra-op CPU threads (0 =
        onnxruntime's default, all cores)."""
        import onnxruntime

        graph = io.BytesIO()
        with warnings.catch_warnings():  # the TorchScript exporter is deprecated in torch 2.9+, still supported;
            warnings.simplefilter("ignore", DeprecationWarning)  # the new one needs onnxscript, not a dependency
            torch.onnx.export(  # a file-like target is documented; torch's annotation names paths only
                network,
                (example,),
                graph,  # type: ignore[arg-type]
                input_names=[INPUT_NAME],
                opset_version=ONNX_OPSET,
                dynamo=False,
            )
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only
        # idle worker threads sleep instead of spinning: on a CPU shared with the simulator and the other
        # nodes, spinning threads take the cores the rest of the graph needs
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = onnxruntime.InferenceSession(graph.getvalue(), options, providers=["CPUExecutionProvider"])

    def __call__(self, inputs: torch.Tensor) -> torch.Tensor:
        output = self.session.run(None, {INPUT_NAME: np.ascontiguousarray(inputs.numpy(), dtype=np.float32)})[0]
        return torch.from_numpy(output)
