"""Interactive panels (ipywidgets) built on the models and plots."""
