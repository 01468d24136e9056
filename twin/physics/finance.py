"""Discounted cash flows: present value, NPV, IRR, paybacks, escalated and degraded series, life cycle.

Conventions (used by every function and by ``docs/economics.md``):

* **Yearly cash flows, year 0 first.** ``cash_flows_eur[0]`` happens today
  (the investment, usually negative); ``cash_flows_eur[t]`` happens at the END
  of year t, t = 1..N, and is discounted by (1 + r)^t. This is the
  engineering-economics convention; it differs from ``numpy_financial.npv``
  only in that npf also treats its first value as year 0 (not from Excel's
  ``NPV()``, which discounts its first value by one year).
* **Signs:** money received or saved is positive, money spent is negative.
  Functions that take an ``investment_eur`` take it as a positive amount spent.
* **Rates** are fractions per year (0.04 = 4 %/yr), strictly above −1.
  Discount and escalation rates must be on the same basis: both nominal
  (inflation included) or both real (inflation removed).
* Invalid arguments raise ``ValueError`` naming the argument and the value.

The scalar helpers are vectorised (scalars or numpy arrays with broadcasting;
cash flows along the LAST axis). :func:`irr` solves one root per series with
:func:`scipy.optimize.brentq`, looping over leading axes.

References
----------
[Newnan] Newnan, D.G., Eschenbach, T.G., Lavelle, J.P. (2020). *Engineering
    Economic Analysis*, 14th ed., Oxford University Press: ch. 3-4
    (P/F = (1+i)^-n, P/A = ((1+i)^n − 1)/(i (1+i)^n)), ch. 5 (present worth
    and payback), ch. 7 (IRR; multiple roots and Descartes' rule of signs).
[EN15459] EN 15459-1:2017, *Energy performance of buildings -- Economic
    evaluation procedure for energy systems in buildings*: global cost over a
    calculation period with the present value factor, price development
    (escalation) rates and replacement costs.
[SAM] NREL System Advisor Model, lifetime mode: PV output of year y scaled by
    (1 − d)^y, y = 0, 1, ... (as :func:`twin.physics.pv.degradation_factor`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

__all__ = [
    "IRR_SEARCH_RANGE",
    "present_value_factor",
    "annuity_factor",
    "npv_eur",
    "irr",
    "irr_with_reason",
    "irr_roots",
    "simple_payback_years",
    "discounted_payback_years",
    "escalated_series",
    "degraded_series",
    "life_cycle",
]

#: Interval searched for an IRR [1/yr]: from −99 %/yr (nearly everything
#: lost) to +1000 %/yr (payback in about five weeks). Outside it, an IRR says
#: nothing useful for a building project and :func:`irr` returns NaN.
IRR_SEARCH_RANGE = (-0.99, 10.0)
# Grid of 1 + r, geometric, on which sign changes of the NPV are bracketed.
_IRR_GRID_POINTS = 2001


def _arr(x):
    return np.asarray(x, dtype=float)


def _out(x):
    return np.asarray(x)[()]


def _check_rate(name, rate):
    r = _arr(rate)
    if np.any(~(r > -1.0)) or np.any(~np.isfinite(r)):
        raise ValueError(f"{name} must be > -1 and finite (a fraction per year), got {rate!r}")
    return r


def _check_years(name, years, integer=False):
    n = _arr(years)
    if np.any(~(n >= 0)) or np.any(~np.isfinite(n)):
        raise ValueError(f"{name} must be >= 0 and finite, got {years!r}")
    if integer and np.any(n != np.round(n)):
        raise ValueError(f"{name} must be a whole number of years, got {years!r}")
    return n


def _check_cash_flows(cash_flows_eur):
    cf = _arr(cash_flows_eur)
    if cf.ndim == 0 or cf.shape[-1] == 0:
        raise ValueError(f"cash_flows_eur must be a non-empty sequence (year 0 first), got {cash_flows_eur!r}")
    if not np.all(np.isfinite(cf)):
        raise ValueError(f"cash_flows_eur must be finite, got {cash_flows_eur!r}")
    return cf


def present_value_factor(rate, years):
    """Present value of 1 € received at the end of year ``years`` (single payment) [-].

    .. math:: (P/F, r, n) = (1 + r)^{-n}

    Parameters
    ----------
    rate : float or ndarray
        Discount rate r [1/yr], > −1.
    years : float or ndarray
        Time n from today [yr], ≥ 0 (fractions allowed).

    Returns
    -------
    float or ndarray
        The factor; 1 at n = 0 or r = 0.

    References
    ----------
    [Newnan] ch. 3; EN 15459-1 "present value factor" (its f_pv(n) for a
    single cost at year n).
    """
    r = _check_rate("rate", rate)
    n = _check_years("years", years)
    return _out((1.0 + r) ** (-n))


def annuity_factor(rate, years):
    """Present value of 1 €/yr received at the end of each of years 1..n [-].

    .. math:: (P/A, r, n) = \\sum_{t=1}^{n} (1+r)^{-t} = \\frac{1 - (1+r)^{-n}}{r}, \\qquad = n \\text{ if } r = 0

    Parameters
    ----------
    rate : float or ndarray
        Discount rate r [1/yr], > −1.
    years : float or ndarray
        Number of yearly payments n, ≥ 0 (whole years).

    Returns
    -------
    float or ndarray
        The factor [yr]; its inverse is the capital recovery factor.

    References
    ----------
    [Newnan] ch. 4 (uniform series present worth factor).
    """
    r = _check_rate("rate", rate)
    n = _check_years("years", years, integer=True)
    small = np.abs(r) < 1e-12
    safe_r = np.where(small, 1.0, r)
    out = np.where(small, n, (1.0 - (1.0 + r) ** (-n)) / safe_r)
    return _out(out)


def npv_eur(cash_flows_eur, discount_rate):
    """Net present value of yearly cash flows, year 0 first [EUR].

    .. math:: NPV = \\sum_{t=0}^{N} \\frac{CF_t}{(1 + r)^t}

    Parameters
    ----------
    cash_flows_eur : array_like
        CF_0..CF_N along the last axis [EUR]; CF_0 is not discounted.
    discount_rate : float or ndarray
        r [1/yr], > −1. An array broadcasts against the leading axes of the
        cash flows (e.g. several rates for one series).

    Returns
    -------
    float or ndarray
        NPV [EUR]. Equal to ``numpy_financial.npv(r, cash_flows)`` (which also
        takes its first value as year 0), and to Excel's
        ``CF_0 + NPV(r, CF_1..CF_N)``.

    References
    ----------
    [Newnan] ch. 5; EN 15459-1 global cost.
    """
    cf = _check_cash_flows(cash_flows_eur)
    r = _check_rate("discount_rate", discount_rate)
    t = np.arange(cf.shape[-1], dtype=float)
    factors = (1.0 + r[..., None]) ** (-t)
    return _out(np.sum(cf * factors, axis=-1))


def _scaled_npv(cf, one_plus_r):
    """NPV(r)·(1+r)^N = Σ CF_t (1+r)^(N−t): same sign and roots as the NPV, no overflow near r = −1."""
    n = cf.size - 1
    powers = np.arange(n, -1, -1, dtype=float)
    return np.sum(cf * np.power.outer(one_plus_r, powers), axis=-1)


def irr_roots(cash_flows_eur, search_range=IRR_SEARCH_RANGE):
    """Every rate in ``search_range`` at which the NPV of one series changes sign [1/yr].

    The NPV is evaluated, multiplied by (1+r)^N (same sign, no overflow), on
    2,001 values of 1+r spaced geometrically over the range; each sign change
    is refined with Brent's method (``xtol`` 1e-12). Roots where the NPV only
    touches zero without changing sign, or closer together than the grid
    spacing (≈ 0.3 % of 1+r), are not found.

    Parameters
    ----------
    cash_flows_eur : array_like, 1-D
        CF_0..CF_N [EUR].
    search_range : (float, float)
        Lowest and highest rate searched [1/yr]; low > −1.

    Returns
    -------
    numpy.ndarray
        Sorted roots (empty when none).
    """
    cf = _check_cash_flows(cash_flows_eur)
    if cf.ndim != 1:
        raise ValueError(f"cash_flows_eur must be 1-D for irr_roots, got shape {cf.shape}")
    lo, hi = float(search_range[0]), float(search_range[1])
    if not (-1.0 < lo < hi and math.isfinite(hi)):
        raise ValueError(f"search_range must satisfy -1 < low < high < inf, got {search_range!r}")
    x = np.geomspace(1.0 + lo, 1.0 + hi, _IRR_GRID_POINTS)
    f = _scaled_npv(cf, x)
    roots = [float(xi) - 1.0 for xi, fi in zip(x, f, strict=True) if fi == 0.0]
    sign = np.sign(f)
    change = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
    for i in change:
        from scipy.optimize import brentq  # imported here: scipy.optimize costs ~0.5 s at start-up

        xr = brentq(lambda v: float(_scaled_npv(cf, np.array([v]))[0]), x[i], x[i + 1], xtol=1e-14, rtol=1e-13)
        roots.append(xr - 1.0)
    return np.array(sorted(roots))


def irr_with_reason(cash_flows_eur, search_range=IRR_SEARCH_RANGE):
    """Internal rate of return of one series, and why it is NaN when it is [1/yr].

    Returns
    -------
    (float, str)
        ``(irr, "")`` when the NPV has exactly one root in the range; otherwise
        ``(nan, reason)`` with reason one of:

        * ``"no sign change in the cash flows"``: all flows are ≥ 0 (nothing
          invested, or nothing ever lost) or all ≤ 0 (never pays back at any
          rate); no rate makes the NPV zero.
        * ``"no root in [-99 %, 1000 %]/yr"``: the flows change sign but the
          NPV keeps one sign over the whole searched range, e.g. savings that
          add up to less than 1 % of the investment.
        * ``"several roots: ..."``: non-conventional flows (e.g. a large
          replacement late in life) make the IRR ambiguous; read the NPV.
    """
    cf = _check_cash_flows(cash_flows_eur)
    if not (np.any(cf > 0) and np.any(cf < 0)):
        return math.nan, "no sign change in the cash flows"
    roots = irr_roots(cf, search_range)
    if roots.size == 0:
        lo, hi = search_range
        return math.nan, f"no root in [{lo:.0%}, {hi:.0%}]/yr"
    if roots.size > 1:
        listed = ", ".join(f"{r:.4%}" for r in roots)
        return math.nan, f"several roots: {listed}"
    return float(roots[0]), ""


def irr(cash_flows_eur, search_range=IRR_SEARCH_RANGE):
    """Internal rate of return: the discount rate at which the NPV is zero [1/yr].

    .. math:: \\sum_{t=0}^{N} CF_t (1 + IRR)^{-t} = 0

    Solved with :func:`scipy.optimize.brentq` on each sign change of the NPV
    found over ``search_range`` (see :func:`irr_roots`).

    Parameters
    ----------
    cash_flows_eur : array_like
        CF_0..CF_N along the last axis [EUR]; leading axes are separate series.
    search_range : (float, float)
        Rates searched [1/yr], default ``IRR_SEARCH_RANGE`` = (−0.99, 10).

    Returns
    -------
    float or ndarray
        The IRR, or NaN when (see :func:`irr_with_reason` for the reason):
        the flows do not change sign; the NPV has no root in the range; or it
        has several (non-conventional flows). A conventional project (one
        outlay, then savings: one sign change) has at most one root by
        Descartes' rule of signs, so NaN there means "no root in range".

    References
    ----------
    [Newnan] ch. 7. Cross-checked against ``numpy_financial.irr`` in the tests.
    """
    cf = _check_cash_flows(cash_flows_eur)
    flat = cf.reshape(-1, cf.shape[-1])
    out = np.array([irr_with_reason(row, search_range)[0] for row in flat])
    return _out(out.reshape(cf.shape[:-1]))


def simple_payback_years(investment_eur, annual_saving_eur):
    """Investment divided by the (first-year) annual saving [yr].

    .. math:: SPB = \\frac{I}{S}, \\qquad = \\infty \\text{ if } S \\le 0

    Parameters
    ----------
    investment_eur : float or ndarray
        I, money spent at year 0 [EUR], ≥ 0.
    annual_saving_eur : float or ndarray
        S, net saving per year [EUR]; may be ≤ 0 (no payback).

    Returns
    -------
    float or ndarray
        Years; 0 when I = 0 and S > 0; ``inf`` when S ≤ 0. It ignores
        discounting, price escalation, degradation and replacements.
    """
    i = _arr(investment_eur)
    s = _arr(annual_saving_eur)
    if np.any(~(i >= 0)) or np.any(~np.isfinite(i)):
        raise ValueError(f"investment_eur must be >= 0 and finite, got {investment_eur!r}")
    if np.any(~np.isfinite(s)):
        raise ValueError(f"annual_saving_eur must be finite, got {annual_saving_eur!r}")
    positive = s > 0
    out = np.where(positive, i / np.where(positive, s, 1.0), np.inf)
    return _out(out)


def discounted_payback_years(cash_flows_eur, discount_rate):
    """Time until the cumulative DISCOUNTED cash flow first reaches zero [yr].

    .. math:: C_k = \\sum_{t=0}^{k} CF_t (1+r)^{-t}; \\quad
              DPB = (k - 1) + \\frac{-C_{k-1}}{CF_k (1+r)^{-k}}
              \\text{ for the first } k \\text{ with } C_{k-1} < 0 \\le C_k

    The fraction interpolates linearly inside year k, as if the year's cash
    flow accrued evenly (a convention: the flows are discounted as end-of-year
    amounts). With ``discount_rate = 0`` this is the undiscounted payback of
    the actual (escalated) flows.

    Parameters
    ----------
    cash_flows_eur : array_like, 1-D
        CF_0..CF_N [EUR], year 0 first.
    discount_rate : float
        r [1/yr], > −1.

    Returns
    -------
    float
        Years; 0 when C_0 ≥ 0 (nothing to recover); ``inf`` when the
        cumulative discounted flow is still negative at year N. Only the FIRST
        crossing counts: a later dip (a replacement) shows in the cumulative
        series of :func:`life_cycle`, not here.
    """
    cf = _check_cash_flows(cash_flows_eur)
    if cf.ndim != 1:
        raise ValueError(f"cash_flows_eur must be 1-D, got shape {cf.shape}")
    r = _check_rate("discount_rate", discount_rate)
    if r.ndim != 0:
        raise ValueError(f"discount_rate must be a scalar, got {discount_rate!r}")
    dcf = cf * (1.0 + float(r)) ** (-np.arange(cf.size, dtype=float))
    cum = np.cumsum(dcf)
    if cum[0] >= 0:
        return 0.0
    reached = np.nonzero(cum >= 0)[0]
    if reached.size == 0:
        return math.inf
    k = int(reached[0])
    return float((k - 1) + (-cum[k - 1]) / dcf[k])


def escalated_series(first_year_value, escalation_rate, years):
    """A yearly value growing at a constant rate, years 1..N.

    .. math:: v_t = v_1 (1 + e)^{t-1}, \\qquad t = 1..N

    Parameters
    ----------
    first_year_value : float or ndarray
        v_1, the value of year 1 (e.g. the simulated year's saving) [any unit].
    escalation_rate : float or ndarray
        e [1/yr], > −1 (e.g. an energy price drift above inflation, real terms).
    years : int
        N ≥ 0.

    Returns
    -------
    numpy.ndarray
        Shape ``broadcast(v_1, e).shape + (N,)``.

    References
    ----------
    EN 15459-1 (price development rates).
    """
    e = _check_rate("escalation_rate", escalation_rate)
    n = int(_check_years("years", years, integer=True))
    v = _arr(first_year_value)
    if np.any(~np.isfinite(v)):
        raise ValueError(f"first_year_value must be finite, got {first_year_value!r}")
    t = np.arange(n, dtype=float)
    return v[..., None] * (1.0 + e[..., None]) ** t


def degraded_series(first_year_value, degradation_rate, years):
    """A yearly output falling by a constant fraction each year, years 1..N (PV).

    .. math:: v_t = v_1 (1 - d)^{t-1}, \\qquad t = 1..N

    Compound degradation as PVWatts/SAM lifetime mode and
    :func:`twin.physics.pv.degradation_factor` (year 1 is not degraded).

    Parameters
    ----------
    first_year_value : float or ndarray
        v_1 [any unit].
    degradation_rate : float or ndarray
        d, fraction lost per year [1/yr], 0 ≤ d < 1 (0.005 = 0.5 %/yr).
    years : int
        N ≥ 0.

    Returns
    -------
    numpy.ndarray
        Shape ``broadcast(v_1, d).shape + (N,)``.

    References
    ----------
    [SAM] lifetime mode ``dc_degradation``.
    """
    d = _arr(degradation_rate)
    if np.any(~((d >= 0) & (d < 1))):
        raise ValueError(f"degradation_rate must lie in [0, 1) (a fraction per year), got {degradation_rate!r}")
    return escalated_series(first_year_value, -d, years)


def life_cycle(investment_eur, annual_savings_eur: Mapping[str, float], escalation_by_item: Mapping[str, float],
               degradation_by_item: Mapping[str, float], discount_rate, horizon_years,
               replacement_costs: Mapping[int, float] | None = None, residual_value_eur=0.0) -> dict:
    """Yearly cash flows of an option against its baseline, and NPV, IRR and paybacks.

    Year 0: −I. Year t = 1..N:

    .. math:: CF_t = \\sum_i S_i (1 + e_i)^{t-1} (1 - d_i)^{t-1} - R_t + V [t = N]

    with S_i the first-year saving of item i (the simulated year: baseline
    cost − option cost, or extra revenue), e_i its price escalation, d_i its
    output degradation (PV), R_t the replacement cost paid in year t and V a
    residual value at the end of the horizon.

    Parameters
    ----------
    investment_eur : float
        I, extra CAPEX of the option at year 0 [EUR], ≥ 0.
    annual_savings_eur : mapping str -> float
        First-year saving by item (``heat``, ``electricity``, ``water``,
        ``pv_revenue``...) [EUR/yr]; a negative value is an extra cost.
    escalation_by_item : mapping str -> float
        e_i [1/yr] > −1; a missing item does not escalate (0). A key that is
        not in ``annual_savings_eur`` is an error (typo).
    degradation_by_item : mapping str -> float
        d_i [1/yr] in [0, 1); missing = 0. Same key rule.
    discount_rate : float
        r [1/yr], > −1, on the same basis (real or nominal) as the e_i.
    horizon_years : int
        N ≥ 1, the calculation period.
    replacement_costs : mapping int -> float, optional
        Year (1..N) -> amount paid that year [EUR] (≥ 0), in the same money
        basis as the rest (not escalated here).
    residual_value_eur : float
        V, value of the equipment left at year N [EUR] (default 0).

    Returns
    -------
    dict
        ``years`` (0..N), ``savings_by_item_eur`` (item -> array, 0 at year 0),
        ``replacement_eur``, ``cash_flows_eur``, ``discounted_cash_flows_eur``,
        ``cumulative_cash_flow_eur``, ``cumulative_discounted_cash_flow_eur``
        (arrays of N+1), and the figures ``npv_eur``, ``irr`` (NaN when
        undefined), ``irr_note`` (why NaN, else ""), ``simple_payback_years``
        (I / first-year total saving), ``payback_years`` (undiscounted, actual
        flows), ``discounted_payback_years``, ``first_year_saving_eur``,
        ``total_savings_eur`` (undiscounted, years 1..N), ``discount_rate``,
        ``horizon_years``.

    References
    ----------
    EN 15459-1 (global cost method); [Newnan] ch. 5-7.
    """
    inv = float(investment_eur)
    if not (inv >= 0 and math.isfinite(inv)):
        raise ValueError(f"investment_eur must be >= 0 and finite, got {investment_eur!r}")
    n = _check_years("horizon_years", horizon_years, integer=True)
    if n.ndim != 0 or n < 1:
        raise ValueError(f"horizon_years must be a whole number >= 1, got {horizon_years!r}")
    n = int(n)
    r = _check_rate("discount_rate", discount_rate)
    if r.ndim != 0:
        raise ValueError(f"discount_rate must be a scalar, got {discount_rate!r}")
    r = float(r)
    if not annual_savings_eur:
        raise ValueError("annual_savings_eur must name at least one item")
    for name, mapping in (("escalation_by_item", escalation_by_item), ("degradation_by_item", degradation_by_item)):
        unknown = sorted(set(mapping) - set(annual_savings_eur))
        if unknown:
            raise ValueError(f"{name} names items not in annual_savings_eur: {unknown} "
                             f"(items: {sorted(annual_savings_eur)})")
    residual = float(residual_value_eur)
    if not math.isfinite(residual):
        raise ValueError(f"residual_value_eur must be finite, got {residual_value_eur!r}")

    years = np.arange(n + 1)
    by_item = {}
    for item, saving in annual_savings_eur.items():
        s = float(saving)
        if not math.isfinite(s):
            raise ValueError(f"annual_savings_eur[{item!r}] must be finite, got {saving!r}")
        e = float(escalation_by_item.get(item, 0.0))
        d = float(degradation_by_item.get(item, 0.0))
        try:
            series = escalated_series(s, e, n) * degraded_series(1.0, d, n)
        except ValueError as err:
            raise ValueError(f"item {item!r}: {err}") from None
        by_item[item] = np.concatenate([[0.0], series])

    replacement = np.zeros(n + 1)
    for year, cost in (replacement_costs or {}).items():
        if isinstance(year, bool) or not isinstance(year, int | np.integer) or not 1 <= year <= n:
            raise ValueError(f"replacement_costs year must be an integer in 1..{n} (put year-0 costs in "
                             f"investment_eur), got {year!r}")
        c = float(cost)
        if not (c >= 0 and math.isfinite(c)):
            raise ValueError(f"replacement_costs[{year}] must be >= 0 and finite, got {cost!r}")
        replacement[year] += c

    cash = np.sum(list(by_item.values()), axis=0) - replacement
    cash[0] = -inv
    cash[n] += residual
    dcf = cash * (1.0 + r) ** (-years.astype(float))
    irr_value, irr_note = irr_with_reason(cash)
    first_year = float(sum(v[1] for v in by_item.values()))
    return {
        "years": years,
        "savings_by_item_eur": by_item,
        "replacement_eur": replacement,
        "cash_flows_eur": cash,
        "discounted_cash_flows_eur": dcf,
        "cumulative_cash_flow_eur": np.cumsum(cash),
        "cumulative_discounted_cash_flow_eur": np.cumsum(dcf),
        "npv_eur": float(np.sum(dcf)),
        "irr": irr_value,
        "irr_note": irr_note,
        "simple_payback_years": float(simple_payback_years(inv, first_year)),
        "payback_years": discounted_payback_years(cash, 0.0),
        "discounted_payback_years": discounted_payback_years(cash, r),
        "first_year_saving_eur": first_year,
        "total_savings_eur": float(sum(v.sum() for v in by_item.values())),
        "discount_rate": r,
        "horizon_years": n,
    }
