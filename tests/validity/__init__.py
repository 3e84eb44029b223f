"""The validity harness and its tests (a package so that `from validity import harness` works)."""
