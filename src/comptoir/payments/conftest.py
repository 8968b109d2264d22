"""pytest: `providers/test_gateway.py` is the demo gateway, not a test module."""

collect_ignore = ["providers/test_gateway.py"]
