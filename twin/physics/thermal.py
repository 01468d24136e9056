"""ISO 13790:2008 simple hourly method (5R1C network), generalised to any time step.

The zone is represented by three nodes -- air (θ_air), central/star surface
(θ_s) and mass (θ_m) -- and five conductances::

    θ_sup --H_ve-- θ_air --H_tr,is-- θ_s --H_tr,ms-- θ_m --H_tr,em-- θ_e
                                       |                |
                                   H_tr,w -- θ_e       C_m

Heat sources: Φ_ia + Φ_HC on the air node, Φ_st on the surface node, Φ_m on
the mass node. Only the mass node stores heat; the air and surface nodes are
quasi-steady. The mass node is integrated with the Crank–Nicolson scheme of
ISO 13790 eq. (C.4), in which ``C_m/3600`` is replaced by ``C_m/dt_s``.

All functions are pure and vectorised: every numeric argument may be a
scalar or a numpy array (broadcasting, e.g. one element per zone), and the
fields of :class:`Rc5Conductances` may themselves be arrays.

References
----------
ISO 13790:2008, *Energy performance of buildings -- Calculation of energy use
for space heating and cooling*, §7.2.2.2 (eq. 9), §12.2.2 (eqs. 63-64),
§12.3.1.2 (Table 12), Annex C (eqs. C.1-C.13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

__all__ = [
    "MASS_CLASSES",
    "H_IS_W_M2K",
    "H_MS_W_M2K",
    "LAMBDA_AT",
    "PHI_HC_TEST_W_M2",
    "Rc5Conductances",
    "Rc5State",
    "Rc5HeatFlows",
    "rc5_conductances",
    "gain_split",
    "mix_air_streams",
    "rc5_step",
    "rc5_heating_power",
    "rc5_heat_flows_w",
    "rc5_air_sensitivity_k_w",
]

#: Heat transfer coefficient between the air node and the surface node
#: [W/(m²·K)] -- ISO 13790:2008 §7.2.2.2 (h_is = 3,45 W/(m²·K)).
H_IS_W_M2K = 3.45
#: Heat transfer coefficient between the mass node and the surface node
#: [W/(m²·K)] -- ISO 13790:2008 §12.2.2, eq. (64) (h_ms = 9,1 W/(m²·K)).
H_MS_W_M2K = 9.1
#: Dimensionless ratio A_t / A_f -- ISO 13790:2008 §7.2.2.2 (Λ_at = 4,5).
LAMBDA_AT = 4.5
#: Heating power density used to probe the affine response [W/m²] --
#: ISO 13790:2008 §C.4.2, step 2 (Φ_HC,nd10 = 10 A_f).
PHI_HC_TEST_W_M2 = 10.0

#: ISO 13790:2008 §12.3.1.2, Table 12 -- default dynamic parameters per mass
#: class: ``a_m_factor`` = A_m / A_f [-], ``c_m_j_m2k`` = C_m / A_f [J/(m²·K)].
MASS_CLASSES: dict[str, dict[str, float]] = {
    "very_light": {"a_m_factor": 2.5, "c_m_j_m2k": 80_000.0},
    "light": {"a_m_factor": 2.5, "c_m_j_m2k": 110_000.0},
    "medium": {"a_m_factor": 2.5, "c_m_j_m2k": 165_000.0},
    "heavy": {"a_m_factor": 3.0, "c_m_j_m2k": 260_000.0},
    "very_heavy": {"a_m_factor": 3.5, "c_m_j_m2k": 370_000.0},
}


def _check_positive(name, value, allow_zero=False):
    arr = np.asarray(value, dtype=float)
    bad = ~(arr >= 0) if allow_zero else ~(arr > 0)
    if np.any(bad):
        limit = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"{name} must be {limit} (and finite), got {value!r}")


@dataclass(frozen=True)
class Rc5Conductances:
    """Time-invariant parameters of the 5R1C network.

    Attributes
    ----------
    h_tr_is_w_k : float or ndarray
        Coupling conductance air node – surface node, H_tr,is [W/K].
    h_tr_w_w_k : float or ndarray
        Transmission conductance of windows and other light elements,
        H_tr,w [W/K].
    h_tr_ms_w_k : float or ndarray
        Coupling conductance surface node – mass node, H_tr,ms [W/K].
    h_tr_em_w_k : float or ndarray
        Conductance mass node – outdoor, H_tr,em [W/K].
    c_m_j_k : float or ndarray
        Internal heat capacity, C_m [J/K].
    a_m_m2 : float or ndarray
        Effective mass area, A_m [m²].
    a_t_m2 : float or ndarray
        Area of all surfaces facing the zone, A_t [m²].
    a_f_m2 : float or ndarray
        Conditioned floor area, A_f [m²].
    """

    h_tr_is_w_k: float | np.ndarray
    h_tr_w_w_k: float | np.ndarray
    h_tr_ms_w_k: float | np.ndarray
    h_tr_em_w_k: float | np.ndarray
    c_m_j_k: float | np.ndarray
    a_m_m2: float | np.ndarray
    a_t_m2: float | np.ndarray
    a_f_m2: float | np.ndarray


class Rc5State(NamedTuple):
    """Node temperatures at the end of a step (all in [°C]).

    ``theta_m_c`` is θ_m,t (end of step); ``theta_m_mean_c`` is the step mean
    (θ_m,t + θ_m,t-1)/2 used for the surface and air nodes; ``theta_s_c`` and
    ``theta_air_c`` are the quasi-steady surface and air temperatures of the
    step; ``theta_op_c`` is the operative temperature.
    """

    theta_m_c: np.ndarray
    theta_s_c: np.ndarray
    theta_air_c: np.ndarray
    theta_m_mean_c: np.ndarray
    theta_op_c: np.ndarray


class Rc5HeatFlows(NamedTuple):
    """Heat flows of one step, all in [W] (positive as named).

    ``gains_w`` = Φ_ia + Φ_HC + Φ_st + Φ_m (heat injected into the network);
    ``loss_window_w`` = H_tr,w (θ_s − θ_e);
    ``loss_opaque_w`` = H_tr,em (θ_m,mean − θ_e);
    ``loss_ventilation_w`` = H_ve (θ_air − θ_sup);
    ``storage_w`` = C_m (θ_m,t − θ_m,t-1) / dt;
    ``residual_w`` = gains − losses − storage (zero up to round-off).
    """

    gains_w: np.ndarray
    loss_window_w: np.ndarray
    loss_opaque_w: np.ndarray
    loss_ventilation_w: np.ndarray
    storage_w: np.ndarray
    residual_w: np.ndarray


def rc5_conductances(
    floor_area_m2, h_tr_op_w_k, h_tr_w_w_k, mass_class, a_t_m2=None, a_m_factor=None
) -> Rc5Conductances:
    """Build the 5R1C parameters from floor area, envelope and mass class.

    Parameters
    ----------
    floor_area_m2 : float or array_like
        Conditioned floor area A_f [m²].
    h_tr_op_w_k : float or array_like
        Transmission conductance of the opaque elements H_tr,op [W/K].
    h_tr_w_w_k : float or array_like
        Transmission conductance of the windows H_tr,w [W/K].
    mass_class : str
        One of ``MASS_CLASSES``: "very_light", "light", "medium", "heavy",
        "very_heavy" [-].
    a_t_m2 : float or array_like, optional
        Area of all surfaces facing the zone A_t [m²]; default Λ_at·A_f with
        Λ_at = 4.5.
    a_m_factor : float, optional
        A_m / A_f computed from the actual constructions, A_m = C_m² / Σ A_j κ_j²
        (ISO 13790 §12.3.1.1 eq. 65), instead of the class default of Table 12 [-].

    Returns
    -------
    Rc5Conductances

    Raises
    ------
    ValueError
        Unknown mass class, non-positive area, negative conductance, or
        H_tr,op ≥ H_tr,ms (H_tr,em would be infinite or negative).

    Notes
    -----
    .. math::

        A_m = f_{A_m} A_f, \\quad C_m = c_m A_f \\quad (Table\\ 12)

        A_t = Λ_{at} A_f,\\ Λ_{at}=4.5;\\quad H_{tr,is} = h_{is} A_t,\\ h_{is}=3.45

        H_{tr,ms} = h_{ms} A_m,\\ h_{ms} = 9.1

        H_{tr,em} = 1 / (1/H_{tr,op} − 1/H_{tr,ms})

    References
    ----------
    ISO 13790:2008, §7.2.2.2 eq. (9); §12.2.2 eqs. (63), (64);
    §12.3.1.2 Table 12.
    """
    if not isinstance(mass_class, str) or mass_class not in MASS_CLASSES:
        raise ValueError(
            f"unknown mass_class {mass_class!r}; valid options: {sorted(MASS_CLASSES)}"
        )
    a_f = np.asarray(floor_area_m2, dtype=float)
    h_op = np.asarray(h_tr_op_w_k, dtype=float)
    h_w = np.asarray(h_tr_w_w_k, dtype=float)
    _check_positive("floor_area_m2", a_f)
    _check_positive("h_tr_op_w_k", h_op)
    _check_positive("h_tr_w_w_k", h_w, allow_zero=True)
    row = MASS_CLASSES[mass_class]
    a_m = (row["a_m_factor"] if a_m_factor is None else float(a_m_factor)) * a_f
    c_m = row["c_m_j_m2k"] * a_f
    a_t = LAMBDA_AT * a_f if a_t_m2 is None else np.asarray(a_t_m2, dtype=float)
    _check_positive("a_t_m2", a_t)
    h_is = H_IS_W_M2K * a_t  # eq. (9)
    h_ms = H_MS_W_M2K * a_m  # eq. (64)
    if np.any(h_op >= h_ms):
        raise ValueError(
            f"h_tr_op_w_k={h_tr_op_w_k!r} must be < H_tr,ms = 9.1·A_m = {h_ms!r} W/K, "
            "otherwise H_tr,em (eq. 63) is infinite or negative"
        )
    h_em = 1.0 / (1.0 / h_op - 1.0 / h_ms)  # eq. (63)
    return Rc5Conductances(
        h_tr_is_w_k=h_is[()],
        h_tr_w_w_k=h_w[()],
        h_tr_ms_w_k=h_ms[()],
        h_tr_em_w_k=h_em[()],
        c_m_j_k=c_m[()],
        a_m_m2=a_m[()],
        a_t_m2=a_t[()],
        a_f_m2=a_f[()],
    )


def gain_split(phi_int_w, phi_sol_w, h_tr_w_w_k, a_m_m2, a_t_m2):
    """Split internal and solar gains between the air, surface and mass nodes.

    Parameters
    ----------
    phi_int_w : float or array_like
        Internal heat gains Φ_int [W].
    phi_sol_w : float or array_like
        Solar heat gains Φ_sol [W].
    h_tr_w_w_k : float or array_like
        Window transmission conductance H_tr,w [W/K].
    a_m_m2 : float or array_like
        Effective mass area A_m [m²].
    a_t_m2 : float or array_like
        Area of all surfaces facing the zone A_t [m²].

    Returns
    -------
    phi_ia_w, phi_st_w, phi_m_w : ndarray
        Gains to the air, surface and mass nodes [W].

    Notes
    -----
    .. math::

        Φ_{ia} = 0.5 Φ_{int}                                      (C.1)

        Φ_m = \\frac{A_m}{A_t} (0.5 Φ_{int} + Φ_{sol})             (C.2)

        Φ_{st} = \\left(1 − \\frac{A_m}{A_t} − \\frac{H_{tr,w}}{9.1 A_t}\\right)
                 (0.5 Φ_{int} + Φ_{sol})                           (C.3)

    As written in the standard, Φ_ia + Φ_st + Φ_m = Φ_int + Φ_sol −
    H_tr,w/(9.1 A_t)·(0.5 Φ_int + Φ_sol): the radiative share that falls on
    the window internal surfaces is not injected into the network. The
    energy-balance identity of :func:`rc5_heat_flows_w` therefore uses the
    three split terms, not Φ_int + Φ_sol. ``phi_st_w`` may be negative if
    A_m/A_t + H_tr,w/(9.1 A_t) > 1 (large windows, heavy mass).

    References
    ----------
    ISO 13790:2008, Annex C, eqs. (C.1), (C.2), (C.3).
    """
    phi_int = np.asarray(phi_int_w, dtype=float)
    phi_sol = np.asarray(phi_sol_w, dtype=float)
    h_w = np.asarray(h_tr_w_w_k, dtype=float)
    a_m = np.asarray(a_m_m2, dtype=float)
    a_t = np.asarray(a_t_m2, dtype=float)
    _check_positive("a_t_m2", a_t)
    radiant = 0.5 * phi_int + phi_sol
    phi_ia = 0.5 * phi_int  # (C.1)
    phi_m = a_m / a_t * radiant  # (C.2)
    phi_st = (1.0 - a_m / a_t - h_w / (H_MS_W_M2K * a_t)) * radiant  # (C.3)
    return phi_ia[()], phi_st[()], phi_m[()]


def mix_air_streams(h_ve_w_k_array, temp_c_array, axis=-1):
    """Combine several air streams into one conductance and supply temperature.

    Parameters
    ----------
    h_ve_w_k_array : array_like
        Conductances H_ve,k = ρ c_p V̇_k of the streams [W/K], along ``axis``.
    temp_c_array : array_like
        Temperatures θ_sup,k of the incoming streams [°C], broadcastable to
        ``h_ve_w_k_array``.
    axis : int
        Axis enumerating the streams [-].

    Returns
    -------
    h_ve_w_k, temp_sup_c : ndarray
        Total conductance [W/K] and conductance-weighted supply temperature
        [°C]. Where the total conductance is zero the temperature is the plain
        mean of the stream temperatures (it then has no influence).

    Notes
    -----
    .. math::

        H_{ve} = Σ_k H_{ve,k}, \\quad θ_{sup} = Σ_k H_{ve,k} θ_{sup,k} / H_{ve}

    which is exact because the ventilation heat flow is linear:
    Σ_k H_{ve,k}(θ_air − θ_{sup,k}) = H_ve (θ_air − θ_sup).

    References
    ----------
    ISO 13790:2008, §9.3.1 eq. (21) (sum of ventilation conductances with
    their own supply temperatures; the weighted θ_sup follows from linearity).
    """
    h = np.asarray(h_ve_w_k_array, dtype=float)
    t = np.asarray(temp_c_array, dtype=float)
    h, t = np.broadcast_arrays(h, t)
    _check_positive("h_ve_w_k_array", h, allow_zero=True)
    h_tot = h.sum(axis=axis)
    weighted = (h * t).sum(axis=axis)
    mean_t = t.mean(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        t_sup = np.where(h_tot > 0, weighted / np.where(h_tot > 0, h_tot, 1.0), mean_t)
    return np.asarray(h_tot)[()], np.asarray(t_sup)[()]


def _derived(cond: Rc5Conductances, h_ve):
    """H_tr,1, H_tr,2, H_tr,3 (C.6-C.8) and the air-coupling ratio H_tr,1/H_ve.

    Written so that H_ve = 0 and H_tr,2 = 0 are allowed (no division by them):
    H_tr,1 = H_ve·H_tr,is/(H_ve + H_tr,is) and H_tr,1/H_ve = H_tr,is/(H_ve + H_tr,is).
    """
    h_is = np.asarray(cond.h_tr_is_w_k, dtype=float)
    h_w = np.asarray(cond.h_tr_w_w_k, dtype=float)
    h_ms = np.asarray(cond.h_tr_ms_w_k, dtype=float)
    ratio = h_is / (h_ve + h_is)  # H_tr,1 / H_ve
    h1 = h_ve * ratio  # (C.6)
    h2 = h1 + h_w  # (C.7)
    h3 = h2 * h_ms / (h2 + h_ms)  # (C.8), = 1/(1/H_tr,2 + 1/H_tr,ms)
    return h_is, h_w, h_ms, h1, h2, h3, ratio


def rc5_step(
    theta_m_prev_c,
    temp_out_c,
    temp_sup_c,
    h_ve_w_k,
    phi_ia_w,
    phi_st_w,
    phi_m_w,
    phi_hc_w,
    cond: Rc5Conductances,
    dt_s,
    check_inputs: bool = True,
) -> Rc5State:
    """Advance the 5R1C network by one time step.

    Parameters
    ----------
    theta_m_prev_c : float or array_like
        Mass-node temperature at the start of the step θ_m,t-1 [°C].
    temp_out_c : float or array_like
        Outdoor air temperature θ_e (mean over the step) [°C].
    temp_sup_c : float or array_like
        Supply-air temperature θ_sup [°C] (AHU supply after recovery and
        coil, or outdoor air for infiltration; use :func:`mix_air_streams`
        for several streams).
    h_ve_w_k : float or array_like
        Ventilation conductance H_ve to θ_sup [W/K], ≥ 0.
    phi_ia_w, phi_st_w, phi_m_w : float or array_like
        Gains to the air, surface and mass nodes [W] (see :func:`gain_split`).
    phi_hc_w : float or array_like
        Heating (+) / cooling (−) power delivered to the air node Φ_HC [W].
    cond : Rc5Conductances
        Network parameters.
    dt_s : float
        Time step [s], > 0.
    check_inputs : bool
        Validate dt_s and H_ve (default). An orchestrator that validated them once may
        skip the checks in its per-step loop.

    Returns
    -------
    Rc5State
        θ_m,t, θ_s, θ_air, θ_m (mean), θ_op [°C].

    Notes
    -----
    With :math:`H_{tr,1}=1/(1/H_{ve}+1/H_{tr,is})` (C.6),
    :math:`H_{tr,2}=H_{tr,1}+H_{tr,w}` (C.7),
    :math:`H_{tr,3}=1/(1/H_{tr,2}+1/H_{tr,ms})` (C.8):

    .. math::

        Φ_{mtot} = Φ_m + H_{tr,em}θ_e + H_{tr,3}\\,[Φ_{st} + H_{tr,w}θ_e
                   + H_{tr,1}((Φ_{ia}+Φ_{HC})/H_{ve} + θ_{sup})]/H_{tr,2}   (C.5)

        θ_{m,t} = \\frac{θ_{m,t-1}(C_m/Δt − ½(H_{tr,3}+H_{tr,em})) + Φ_{mtot}}
                        {C_m/Δt + ½(H_{tr,3}+H_{tr,em})}                  (C.4)

        θ_m = (θ_{m,t} + θ_{m,t-1})/2                                      (C.9)

        θ_s = \\frac{H_{tr,ms}θ_m + Φ_{st} + H_{tr,w}θ_e
                     + H_{tr,1}(θ_{sup} + (Φ_{ia}+Φ_{HC})/H_{ve})}
                    {H_{tr,ms} + H_{tr,w} + H_{tr,1}}                      (C.10)

        θ_{air} = \\frac{H_{tr,is}θ_s + H_{ve}θ_{sup} + Φ_{ia} + Φ_{HC}}
                        {H_{tr,is} + H_{ve}}                               (C.11)

        θ_{op} = 0.3 θ_{air} + 0.7 θ_s                                     (C.12)

    The standard writes C_m/3600 (hourly step); here it is C_m/Δt. (C.4) is
    the Crank–Nicolson (trapezoidal) discretisation of the single ODE left
    after eliminating the two massless nodes, so it is unconditionally
    stable and second-order accurate in Δt. The products H_tr,1/H_ve are
    evaluated as H_tr,is/(H_ve + H_tr,is) and H_tr,3/H_tr,2 as
    H_tr,ms/(H_tr,2 + H_tr,ms), algebraically identical forms that allow
    H_ve = 0 and H_tr,w = 0.

    References
    ----------
    ISO 13790:2008, Annex C, §C.3, eqs. (C.4)-(C.12).
    """
    h_ve = np.asarray(h_ve_w_k, dtype=float)
    if check_inputs:
        _check_positive("dt_s", dt_s)
        _check_positive("h_ve_w_k", h_ve, allow_zero=True)
    theta_prev = np.asarray(theta_m_prev_c, dtype=float)
    t_e = np.asarray(temp_out_c, dtype=float)
    t_sup = np.asarray(temp_sup_c, dtype=float)
    phi_air = np.asarray(phi_ia_w, dtype=float) + np.asarray(phi_hc_w, dtype=float)
    phi_st = np.asarray(phi_st_w, dtype=float)
    phi_m = np.asarray(phi_m_w, dtype=float)
    h_is, h_w, h_ms, h1, h2, h3, ratio = _derived(cond, h_ve)
    h_em = np.asarray(cond.h_tr_em_w_k, dtype=float)
    c_dt = np.asarray(cond.c_m_j_k, dtype=float) / dt_s

    # Surface-side source term: Φ_st + H_tr,w θ_e + H_tr,1 (θ_sup + Φ_air/H_ve)
    src_s = phi_st + h_w * t_e + h1 * t_sup + ratio * phi_air
    # (C.5), with H_tr,3/H_tr,2 written as H_tr,ms/(H_tr,2 + H_tr,ms) (allows H_tr,2 = 0)
    phi_mtot = phi_m + h_em * t_e + h_ms * src_s / (h2 + h_ms)
    theta_m = (theta_prev * (c_dt - 0.5 * (h3 + h_em)) + phi_mtot) / (
        c_dt + 0.5 * (h3 + h_em)
    )  # (C.4)
    theta_mean = 0.5 * (theta_m + theta_prev)  # (C.9)
    theta_s = (h_ms * theta_mean + src_s) / (h_ms + h_w + h1)  # (C.10)
    theta_air = (h_is * theta_s + h_ve * t_sup + phi_air) / (h_is + h_ve)  # (C.11)
    theta_op = 0.3 * theta_air + 0.7 * theta_s  # (C.12)
    return Rc5State(
        theta_m[()], theta_s[()], theta_air[()], theta_mean[()], theta_op[()]
    )


def rc5_air_sensitivity_k_w(h_ve_w_k, cond: Rc5Conductances, dt_s):
    """Rise of the air temperature per watt of heating power, dθ_air/dΦ_HC [K/W].

    Parameters
    ----------
    h_ve_w_k : float or array_like
        Ventilation conductance [W/K], ≥ 0.
    cond : Rc5Conductances
        Network parameters.
    dt_s : float
        Time step [s].

    Returns
    -------
    ndarray
        dθ_air/dΦ_HC for the step [K/W], > 0.

    Notes
    -----
    The network is linear, so θ_air = θ_air,0 + S·Φ_HC, where θ_air,0 is the
    free-floating air temperature (:func:`rc5_step` with Φ_HC = 0) and S does
    not depend on the state or the gains. Differentiating (C.4)-(C.11) with
    r = H_tr,is/(H_ve + H_tr,is):

    .. math::

        \\frac{dθ_m}{dΦ} = \\frac{r H_{tr,ms}/(H_{tr,2}+H_{tr,ms})}{C_m/Δt + ½(H_{tr,3}+H_{tr,em})},\\quad
        \\frac{dθ_s}{dΦ} = \\frac{½ H_{tr,ms} dθ_m/dΦ + r}{H_{tr,ms}+H_{tr,w}+H_{tr,1}},\\quad
        S = \\frac{H_{tr,is} dθ_s/dΦ + 1}{H_{tr,is} + H_{ve}}

    With it the heating power that reaches a set-point is exact in one
    evaluation, Φ = (θ_set − θ_air,0)/S, the same result as the two trial
    powers of §C.4.2 (C.13), at half the cost.

    References
    ----------
    ISO 13790:2008, Annex C, eqs. (C.4)-(C.13).
    """
    h_ve = np.asarray(h_ve_w_k, dtype=float)
    h_is, h_w, h_ms, h1, h2, h3, ratio = _derived(cond, h_ve)
    h_em = np.asarray(cond.h_tr_em_w_k, dtype=float)
    c_dt = np.asarray(cond.c_m_j_k, dtype=float) / dt_s
    d_m = ratio * h_ms / (h2 + h_ms) / (c_dt + 0.5 * (h3 + h_em))
    d_s = (0.5 * h_ms * d_m + ratio) / (h_ms + h_w + h1)
    return ((h_is * d_s + 1.0) / (h_is + h_ve))[()]


def rc5_heating_power(
    theta_m_prev_c,
    temp_out_c,
    temp_sup_c,
    h_ve_w_k,
    phi_ia_w,
    phi_st_w,
    phi_m_w,
    setpoint_c,
    max_power_w,
    cond: Rc5Conductances,
    dt_s,
):
    """Heating power that holds the air temperature at the set-point.

    Parameters
    ----------
    theta_m_prev_c : float or array_like
        Mass temperature at the start of the step [°C].
    temp_out_c : float or array_like
        Outdoor temperature θ_e [°C].
    temp_sup_c : float or array_like
        Supply-air temperature θ_sup [°C].
    h_ve_w_k : float or array_like
        Ventilation conductance [W/K].
    phi_ia_w, phi_st_w, phi_m_w : float or array_like
        Node gains [W].
    setpoint_c : float or array_like
        Heating set-point for the air temperature θ_int,H,set [°C].
    max_power_w : float or array_like
        Maximum heating power Φ_H,max [W], ≥ 0.
    cond : Rc5Conductances
        Network parameters.
    dt_s : float
        Time step [s].

    Returns
    -------
    phi_hc_w : ndarray
        Heating power delivered to the air node, in [0, max_power_w] [W].
    state : Rc5State
        Node temperatures for that power.

    Notes
    -----
    θ_air is affine in Φ_HC. With Φ_HC,10 = 10 W/m² × A_f:

    .. math::

        Φ_{HC,un} = Φ_{HC,10} \\frac{θ_{set} − θ_{air,0}}{θ_{air,10} − θ_{air,0}}  (C.13)

        Φ_{HC} = \\min(\\max(Φ_{HC,un}, 0), Φ_{H,max})

    Heating only: no cooling power is ever returned (the building has no
    cooling); when θ_air,0 ≥ θ_set the zone floats freely (Φ_HC = 0). The
    state is recomputed with the clipped power (§C.4.2, steps 1-4).

    References
    ----------
    ISO 13790:2008, Annex C, §C.4.2, eq. (C.13).
    """
    max_p = np.asarray(max_power_w, dtype=float)
    _check_positive("max_power_w", max_p, allow_zero=True)
    args = (theta_m_prev_c, temp_out_c, temp_sup_c, h_ve_w_k, phi_ia_w, phi_st_w, phi_m_w)
    phi_10 = PHI_HC_TEST_W_M2 * np.asarray(cond.a_f_m2, dtype=float)
    air_0 = rc5_step(*args, 0.0, cond, dt_s).theta_air_c
    air_10 = rc5_step(*args, phi_10, cond, dt_s).theta_air_c
    phi_un = phi_10 * (np.asarray(setpoint_c, dtype=float) - air_0) / (air_10 - air_0)
    phi_hc = np.clip(phi_un, 0.0, max_p)
    state = rc5_step(*args, phi_hc, cond, dt_s)
    return np.asarray(phi_hc)[()], state


def rc5_heat_flows_w(
    theta_m_prev_c,
    state: Rc5State,
    temp_out_c,
    temp_sup_c,
    h_ve_w_k,
    phi_ia_w,
    phi_st_w,
    phi_m_w,
    phi_hc_w,
    cond: Rc5Conductances,
    dt_s,
) -> Rc5HeatFlows:
    """Whole-zone heat flows of one step and their closure residual.

    Parameters
    ----------
    theta_m_prev_c : float or array_like
        θ_m,t-1 passed to :func:`rc5_step` [°C].
    state : Rc5State
        Result of :func:`rc5_step` for the same inputs.
    temp_out_c, temp_sup_c : float or array_like
        θ_e and θ_sup [°C].
    h_ve_w_k : float or array_like
        Ventilation conductance [W/K].
    phi_ia_w, phi_st_w, phi_m_w, phi_hc_w : float or array_like
        Node gains and heating power [W].
    cond : Rc5Conductances
        Network parameters.
    dt_s : float
        Time step [s].

    Returns
    -------
    Rc5HeatFlows
        Gains, the three losses, storage and residual [W].

    Notes
    -----
    Summing the balances of the air node (C.11), the surface node (C.10)
    and the mass node (C.4, whose Crank–Nicolson form is the mass balance
    evaluated at θ_m = (θ_m,t + θ_m,t-1)/2, with θ_s computed from that
    same θ_m) cancels the internal flows H_tr,is and H_tr,ms and leaves the
    exact identity

    .. math::

        Φ_{ia} + Φ_{HC} + Φ_{st} + Φ_m
        − H_{tr,w}(θ_s − θ_e) − H_{tr,em}(θ_m − θ_e) − H_{ve}(θ_{air} − θ_{sup})
        = C_m (θ_{m,t} − θ_{m,t-1}) / Δt

    where θ_s, θ_air are the step values of :class:`Rc5State` and θ_m is the
    step mean. ``residual_w`` is left side minus right side; it is zero to
    round-off (relative 1e-12 typically).

    References
    ----------
    Derived from ISO 13790:2008, Annex C, eqs. (C.4)-(C.11).
    """
    h_ve = np.asarray(h_ve_w_k, dtype=float)
    t_e = np.asarray(temp_out_c, dtype=float)
    gains = (
        np.asarray(phi_ia_w, dtype=float)
        + np.asarray(phi_hc_w, dtype=float)
        + np.asarray(phi_st_w, dtype=float)
        + np.asarray(phi_m_w, dtype=float)
    )
    loss_w = np.asarray(cond.h_tr_w_w_k, dtype=float) * (state.theta_s_c - t_e)
    loss_op = np.asarray(cond.h_tr_em_w_k, dtype=float) * (state.theta_m_mean_c - t_e)
    loss_ve = h_ve * (state.theta_air_c - np.asarray(temp_sup_c, dtype=float))
    storage = (
        np.asarray(cond.c_m_j_k, dtype=float)
        * (state.theta_m_c - np.asarray(theta_m_prev_c, dtype=float))
        / dt_s
    )
    residual = gains - loss_w - loss_op - loss_ve - storage
    out = [np.asarray(x)[()] for x in (gains, loss_w, loss_op, loss_ve, storage, residual)]
    return Rc5HeatFlows(*out)
