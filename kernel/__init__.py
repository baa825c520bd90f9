"""The shared kernel: what every app needs and no app owns.

Money rounding and display, formula-safe CSV export, the base of domain errors and instant
parsing. It imports no app and no model, so ``orders``, ``settlements`` and ``portal`` can all
depend on it without depending on each other.
"""
