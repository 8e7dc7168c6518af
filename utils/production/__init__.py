"""Part VI, from notebook to production (notebooks 42-45): serving, quantization, packaging, distributed training."""
