__version__ = "1.1.0"

#: The release whose figures this one draws alike: figure keys and the files' "made by"
#: metadata name it, not ``__version__``, so upgrading attrmap does not mark every figure
#: stale. Set it to ``__version__`` in a release that changes what a one-page figure
#: shows (pixels, embedded text); leave it in one that does not (1.1.0 encodes PNGs
#: differently, pixels unchanged: a figure drawn by 1.0 is still current).
DRAWING_VERSION = "1.0.0"
#: The same for figures of several pages (long matrices), whose files record their key
#: bound to it: their drawing changed in 1.1.0 (each page says which tokens it holds,
#: and the split and page sizes follow new rules), so their keys moved once, while every
#: one-page figure kept its key and its bytes.
PAGED_DRAWING_VERSION = "1.1.0"
