"""The shipped data (installed as ``geozones.data``): zones, boundaries, infrastructure and fact tables.

Found with :mod:`importlib.resources` (see :func:`geozones.paths.shipped_data_dir`), so an
installed wheel finds it as well as a checkout. Each folder's README and licence travel with it.
"""
