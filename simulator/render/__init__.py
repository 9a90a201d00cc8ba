"""Pure text renderers: host view in, the real tool's output out (one module per tool family)."""
