"""Self-study widgets, one module a lesson. Each module offers a builder that returns an
ipywidgets widget and a pure update function (tested without a browser)."""
