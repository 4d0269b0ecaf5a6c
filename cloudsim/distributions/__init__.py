"""Probability distribution families usable from NumPy and from numba kernels.

Every family has a Python class (validated, immutable, with vectorised
``ppf``/``cdf``/``sample``) and an integer family ``code``.  Together with the
float64 parameter vector returned by :meth:`Distribution.packed`, the code lets
compiled kernels evaluate the family through the module-level ``@njit``
dispatchers :func:`ppf`, :func:`cdf` and :func:`from_z`.

Numba scalar primitives
-----------------------
ndtr, ndtri, betainc, betaincinv
    Standard normal CDF and its inverse; regularized incomplete beta function
    and its inverse in ``x``.
ppf, cdf, from_z
    Dispatch on ``(code, par, value)``.

Families
--------
=====  ===================  ==========================================
code   class                parameters (``packed()`` order)
=====  ===================  ==========================================
0      ``Normal``           mean, sd
1      ``LogNormal``        mu, sigma, loc
2      ``LogitNormal``      mu, sigma
3      ``PERT``             minimum, mode, maximum, shape
4      ``Fixed``            value
5      ``TruncatedNormal``  mean, sd, lower, upper
6      ``Beta``             a, b, lower, upper
7      ``Triangular``       minimum, mode, maximum
8      ``Uniform``          lower, upper
9      ``LogUniform``       lower, upper
10     ``StudentT``         df, loc, scale
11     ``Metalog``          a1..a9, lower, upper, kind
12     ``Empirical``        min, max, n (values kept on the instance)
=====  ===================  ==========================================

Modules
-------
``_special``
    Special functions for numba code (``ndtr``, ``ndtri``, ``betainc``, ...).
``_table``
    Family codes and the numba dispatch on ``(code, par, value)``.
``base``
    :class:`Distribution`, parameter errors, :data:`FAMILIES`, :func:`from_dict`.
``normal``, ``bounded``, ``data``
    The family classes; every name is re-exported here.

Examples
--------
>>> d = PERT(minimum=0.0, mode=0.35, maximum=1.0)
>>> d
PERT(minimum=0.0, mode=0.35, maximum=1.0, shape=4.0)
>>> from_dict(d.to_dict()) == d
True
"""

# Every top-level name of the former single module is re-exported, private ones included.
# ruff: noqa: F401

from ._special import (
    _EPS,
    _GL_W,
    _GL_X,
    _SQRT1_2,
    _TINY,
    _betacf,
    _betainc_lb,
    _betaincinv_lower,
    _betaincinv_pq,
    _lbeta,
    _normal_mass,
    _phi,
    betainc,
    betaincinv,
    ndtr,
    ndtri,
)
from ._table import (
    CODE_BETA,
    CODE_EMPIRICAL,
    CODE_FIXED,
    CODE_LOGITNORMAL,
    CODE_LOGNORMAL,
    CODE_LOGUNIFORM,
    CODE_METALOG,
    CODE_NORMAL,
    CODE_PERT,
    CODE_STUDENT_T,
    CODE_TRIANGULAR,
    CODE_TRUNCNORMAL,
    CODE_UNIFORM,
    METALOG_MAX_TERMS,
    NPAR,
    TRUNC_MAX_SD,
    _cdf_array,
    _from_z_array,
    _loguniform_ppf_pq,
    _metalog_cdf,
    _metalog_dm_dt,
    _metalog_m,
    _metalog_ppf_sl,
    _metalog_transform,
    _pert_ab,
    _ppf_array,
    _ppf_pq,
    _student_t_cdf,
    _student_t_ppf_pq,
    _triangular_cdf,
    _triangular_ppf_pq,
    _triangular_pq,
    _truncnorm_cdf,
    _truncnorm_ppf_pq,
    _uniform_ppf_pq,
    cdf,
    from_z,
    ppf,
)
from .base import (
    _BY_CODE,
    FAMILIES,
    Distribution,
    ParameterError,
    ParameterTypeError,
    _bracket_root,
    _check_reproduces,
    _defaults,
    _finite_bounds,
    _fmt,
    _parse_quantiles,
    from_dict,
)
from .bounded import (
    PERT,
    Beta,
    Fixed,
    LogUniform,
    Triangular,
    Uniform,
    _triangular_unit_ppf,
)
from .data import (
    Empirical,
    Metalog,
    _from_t,
    _logistic_density,
    _metalog_basis,
    _metalog_slope_t,
    _real_list,
)
from .normal import (
    LogitNormal,
    LogNormal,
    Normal,
    StudentT,
    TruncatedNormal,
    _normal_quantile_fit,
)

__all__ = [
    "FAMILIES",
    "NPAR",
    "PERT",
    "Beta",
    "Distribution",
    "Empirical",
    "Fixed",
    "LogNormal",
    "LogUniform",
    "LogitNormal",
    "Metalog",
    "Normal",
    "ParameterError",
    "ParameterTypeError",
    "StudentT",
    "Triangular",
    "TruncatedNormal",
    "Uniform",
    "betainc",
    "betaincinv",
    "cdf",
    "from_dict",
    "from_z",
    "ndtr",
    "ndtri",
    "ppf",
]

# Each family module registers its classes on import; restore the family-code order
# (the definition order of the former single module) in the registry.
_registered = sorted(FAMILIES.items(), key=lambda item: item[1].code)
FAMILIES.clear()
FAMILIES.update(_registered)
del _registered
