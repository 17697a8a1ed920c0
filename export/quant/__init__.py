"""mobilekit.export.quant: everything about quantizing, in one place.

``recipes`` (one frozen config class per ``--quant`` name, the registry), ``plan`` (the named automatic
stages and the frozen :class:`QuantPlan` every target reads), ``pt2e`` (PT2E static INT8 with
ExecuTorch's XNNPACKQuantizer), ``fused_activations`` (conv/linear + ReLU6 annotated as one pattern),
``observers`` (one calibration pass, every range method), ``weights`` (torchao weight quantization:
int8dyn, 8da4w, ``--quant auto``), ``recurrent`` (LSTM/GRU as linear-gate cells), ``sensitivity``
(per-layer damage), ``mixed_precision`` (layers kept float, the last resort), ``recovery`` (bias
correction, AdaRound), ``qat`` (quantization-aware training).
"""
