"""The demo store loaded by `comptoir demo`: a French home-and-workshop supplier.

- `spec.py`: the compact table types (families of products x variants).
- `reference.py`: channels, categories, attributes and product types.
- `home.py`, `workshop.py`: the product families (consumer and professional).
- `media.py`: images, PDF sheets and a GLB cube, all generated locally (no network).
- `loader.py`: `demo_load()`, idempotent (upserts by slug / external_ref, skips what exists).
"""
