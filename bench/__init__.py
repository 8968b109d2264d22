"""`make bench`: a data generator and the first performance scenarios of Comptoir.

Run `python -m bench --help`. See docs/bench.md for what each figure means.
"""
