"""Hidden test cases and hints for the notebooks' exercises, one module per lesson topic.

Each module exposes ``evaluate_<exercise>`` (returns a :class:`utils.checks.Result`, for grading)
and ``check_<exercise>`` (prints the message, for the notebook).
"""
