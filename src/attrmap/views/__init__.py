"""Views of a prepared heatmap that are not matplotlib figures (HTML, text).

Each reads ``heatmap.HeatmapData`` and the colours of ``scale``, so it shows exactly
what the figure shows, without pyplot or a matplotlib backend.
"""
