"""mobilekit.export.llm: causal language models through the export pipeline (KV cache, 4-bit weights,
token-level fidelity, the manifest's ``llm`` block)."""
