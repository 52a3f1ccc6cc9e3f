"""Real-browser tests: every notebook and panel in JupyterLab and Voila (issue 8).

``servers`` starts JupyterLab/Voila and Chromium, ``driver`` drives a page; both are plain
modules so ``benchmarks/browser_latency.py`` reuses them.
"""
