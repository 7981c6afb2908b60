"""heatex_viz: figures and widgets for the heatex notebooks (matplotlib, ipywidgets)."""
