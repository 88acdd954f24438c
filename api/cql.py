"""CQL2 filters (OGC API - Features Part 3): parsed by pygeofilter, evaluated over a layer's GeoDataFrame.

Parsing is pygeofilter's (``cql2_text`` and ``cql2_json``); evaluation uses its geopandas
backend, extended here to check property names against the queryables, to treat missing values
as "no match", to read geometry literals in ``filter-crs`` and to understand ``BBOX(...)``.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
import orjson
import pandas as pd
import pyproj
import shapely
from pygeofilter import ast, values
from pygeofilter.backends.evaluator import handle
from pygeofilter.backends.geopandas.evaluate import GeoPandasEvaluator
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from geozones.api import crs as _crs
from geozones.api.errors import InvalidParameter
from geozones.api.layers import Layer

FILTER_LANGS = ("cql2-text", "cql2-json")

#: Names a filter may use for the geometry.
GEOMETRY_NAMES = ("geometry", "geom")


def _bbox_to_geojson(node):
    """Replace CQL2-JSON ``{"bbox": [...]}`` by a polygon (pygeofilter 0.4 misreads bbox order)."""
    if isinstance(node, dict):
        if set(node) == {"bbox"} and isinstance(node["bbox"], list):
            box = node["bbox"]
            if len(box) == 6:
                box = [box[0], box[1], box[3], box[4]]
            if len(box) != 4 or not all(isinstance(v, (int, float)) for v in box):
                raise InvalidParameter("a CQL2-JSON bbox needs 4 or 6 numbers")
            return orjson.loads(shapely.to_geojson(shapely.box(*box)))
        return {k: _bbox_to_geojson(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_bbox_to_geojson(v) for v in node]
    return node


def parse(text: str, lang: str | None):
    """Parse a filter into a pygeofilter AST, or raise :class:`InvalidParameter` with the parser's message."""
    lang = (lang or "cql2-text").lower()
    if lang not in FILTER_LANGS:
        raise InvalidParameter(f"filter-lang={lang!r} is not supported; use one of {', '.join(FILTER_LANGS)}")
    try:
        if lang == "cql2-json":
            try:
                node = orjson.loads(text)
            except orjson.JSONDecodeError as exc:
                raise InvalidParameter(f"filter is not valid JSON: {exc}") from None
            return parse_json(_bbox_to_geojson(node))
        return parse_text(text)
    except InvalidParameter:
        raise
    except Exception as exc:  # lark errors, ValueError, KeyError from the parsers
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InvalidParameter(f"invalid {lang} filter: {message}") from None


def _timestamp(value):
    if isinstance(value, _dt.datetime):
        return pd.Timestamp(value).tz_localize("UTC") if value.tzinfo is None else pd.Timestamp(value).tz_convert("UTC")
    if isinstance(value, _dt.date):
        return pd.Timestamp(value).tz_localize("UTC")
    return value


def _boolean(value, index: pd.Index) -> pd.Series:
    """A predicate's result as a nullable boolean Series (NA: unknown, SQL's three-valued logic)."""
    if isinstance(value, pd.Series):
        try:
            return value.astype("boolean")
        except (TypeError, ValueError):
            raise InvalidParameter("filter is not a predicate (it must evaluate to true or false)") from None
    if isinstance(value, (bool, np.bool_)):
        return pd.Series(bool(value), index=index, dtype="boolean")
    raise InvalidParameter("filter is not a predicate (it must evaluate to true or false)")


def _unknown_where_missing(result, index: pd.Index, *operands) -> pd.Series:
    """``result`` with NA wherever an operand (a property's value) is missing: a comparison with a
    missing value is unknown, not false, so ``NOT`` of it is unknown too and never matches."""
    out = _boolean(result, index)
    for operand in operands:
        if isinstance(operand, pd.Series):
            missing = operand.isna().to_numpy()
            if missing.any():
                out = out.copy()
                out[missing] = pd.NA
    return out


class _Evaluator(GeoPandasEvaluator):
    """pygeofilter's geopandas evaluator with the checks and conversions the service needs."""

    def __init__(self, layer: Layer, filter_crs: pyproj.CRS):
        super().__init__(layer.frame)
        self.layer = layer
        self.filter_crs = filter_crs

    # -- three-valued logic: missing values make a predicate unknown (NA), never true --

    @handle(ast.Not)
    def not_(self, node, sub):
        return ~_boolean(sub, self.layer.frame.index)

    @handle(ast.And, ast.Or)
    def combination(self, node, lhs, rhs):
        left, right = _boolean(lhs, self.layer.frame.index), _boolean(rhs, self.layer.frame.index)
        return left & right if node.op.value.upper() == "AND" else left | right

    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        return _unknown_where_missing(super().comparison(node, lhs, rhs), self.layer.frame.index, lhs, rhs)

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        return _unknown_where_missing(super().between(node, lhs, low, high), self.layer.frame.index, lhs, low, high)

    @handle(ast.Like)
    def like(self, node, lhs):
        return _unknown_where_missing(super().like(node, lhs), self.layer.frame.index, lhs)

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        return _unknown_where_missing(super().in_(node, lhs, *options), self.layer.frame.index, lhs, *options)

    @handle(ast.Attribute)
    def attribute(self, node):
        name = node.name
        if name in GEOMETRY_NAMES:
            return self.layer.frame.geometry
        if name not in self.layer.queryables:
            raise InvalidParameter(
                f"filter uses unknown property {name!r}; queryables: {', '.join(self.layer.queryables)}, geometry"
            )
        if name == self.layer.temporal:
            return self.layer.temporal_values
        schema = self.layer.queryables[name]
        if schema.get("format") in ("date", "date-time"):
            return pd.to_datetime(self.layer.frame[name].astype(object), errors="coerce", utc=True)
        return self.layer.frame[name]

    @handle(*values.LITERALS)
    def literal(self, node):
        return _timestamp(node)

    @handle(values.Geometry)
    def geometry(self, node):
        try:
            shape = shapely.from_geojson(orjson.dumps(node.geometry if hasattr(node, "geometry") else node))
        except Exception as exc:
            raise InvalidParameter(f"invalid geometry in filter: {exc}") from None
        return _crs.from_input([shape], self.filter_crs, self.layer.storage_crs)[0]

    @handle(values.Envelope)
    def envelope(self, node):
        box = shapely.box(node.x1, node.y1, node.x2, node.y2)
        return _crs.from_input([box], self.filter_crs, self.layer.storage_crs)[0]

    @handle(ast.Function)
    def function(self, node, *arguments):
        name = node.name.lower()
        if name == "bbox" and len(arguments) in (4, 6) and all(isinstance(a, (int, float)) for a in arguments):
            box = arguments if len(arguments) == 4 else (arguments[0], arguments[1], arguments[3], arguments[4])
            a, b, c, d = _crs.bbox_in(tuple(float(v) for v in box), self.filter_crs, self.layer.storage_crs)
            return shapely.box(a, b, c, d)
        if name in ("casei", "lower") and len(arguments) == 1:
            return arguments[0].str.lower() if isinstance(arguments[0], pd.Series) else str(arguments[0]).lower()
        raise InvalidParameter(f"function {node.name!r} is not supported in filters (supported: BBOX, CASEI)")

    @handle(ast.TemporalPredicate, subclasses=True)
    def temporal(self, node, lhs, rhs):
        raise InvalidParameter(
            "temporal functions (T_*) are not supported; compare the date directly "
            "(decision_date >= DATE('2020-01-01')) or use the datetime parameter"
        )

    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial_operation(self, node, lhs, rhs):
        if not isinstance(lhs, pd.Series) or isinstance(rhs, pd.Series):
            raise InvalidParameter("spatial predicates need the geometry property first and a geometry second")
        if not isinstance(rhs, shapely.Geometry):
            raise InvalidParameter("the second argument of a spatial predicate must be a geometry")
        return _unknown_where_missing(super().spatial_operation(node, lhs, rhs), self.layer.frame.index, lhs)


def evaluate(layer: Layer, root, filter_crs: pyproj.CRS) -> np.ndarray:
    """Boolean mask (one per row) of the features matching the filter; missing values never match."""
    try:
        result = _Evaluator(layer, filter_crs).evaluate(root)
    except InvalidParameter:
        raise
    except Exception as exc:  # type mismatches in comparisons and the like
        raise InvalidParameter(f"filter cannot be evaluated on collection {layer.name!r}: {exc}") from None
    if isinstance(result, (bool, np.bool_)):
        return np.full(len(layer), bool(result))
    if not isinstance(result, pd.Series):
        raise InvalidParameter("filter is not a predicate (it must evaluate to true or false)")
    try:
        return result.astype("boolean").fillna(False).to_numpy(dtype=bool)
    except (TypeError, ValueError):
        raise InvalidParameter("filter is not a predicate (it must evaluate to true or false)") from None
