"""The compiled per-step kernel: zones, AHU, substation, CO₂, electrical bus, EV charging, battery.

:func:`advance` runs steps ``i0 .. i1-1`` of a run on flat arrays, with numba (``cache=True``:
the compiled code is kept on disk, so a second process loads it instead of compiling). It is the
same sequence, the same equations and the same order of operations as the readable
:meth:`twin.engine.Engine.step`, which stays as its pure-Python twin and is tested against it
(``tests/test_kernel.py``, every recorded series to 1e-9). The discrete events (heat-network
outages, EV arrivals and departures) stay in simpy: the engine advances the kernel in chunks
between them, and the event handlers change the shared state arrays (substation availability,
the charging points) in between.

Nothing here validates inputs: everything is checked once, before the run.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["BUILDING_SERIES", "FP", "IP", "ZONE_SERIES", "advance"]

BUILDING_SERIES = (
    "heat_emitters_w", "heat_coil_w", "heat_request_w", "heat_recovered_w", "district_heat_w",
    "heat_loss_w", "pumps_w", "fans_w", "ahu_flow_m3_s", "ahu_supply_temp_c", "ahu_effectiveness",
    "heat_available", "balance_residual_w", "gains_w", "solar_w", "blinds_closed",
    "pv_w", "ev_w", "ev_from_pv_w", "battery_charge_w", "battery_discharge_w", "battery_kwh", "battery_loss_w",
    "grid_import_w", "grid_export_w", "electric_load_w", "electric_residual_w", "cooling_w",
)
ZONE_SERIES = ("temp_air_c", "temp_op_c", "setpoint_c", "heating_w", "unmet", "co2_ppm", "cooling_w", "ceiling_fans_w")

# Row of each series in the building record (numba reads module globals as constants).
(R_EMIT, R_COIL, R_REQ, R_REC, R_DH, R_LOSS, R_PUMP, R_FAN, R_FLOW, R_SUP, R_EFF, R_AVAIL, R_RES, R_GAINS,
 R_SOLAR, R_BLINDS, R_PV, R_EV, R_EVPV, R_BCH, R_BDIS, R_BKWH, R_BLOSS, R_IMP, R_EXP, R_LOAD, R_ERES, R_COOL) = range(28)
Z_AIR, Z_OP, Z_SET, Z_HEAT, Z_UNMET, Z_CO2, Z_COOL, Z_CFAN = range(8)

#: Float parameters, by position in ``fp``.
FP = ("dt_s", "rho_cp", "supply_setpoint_c", "coil_max_w", "sfp_w_per_m3_s", "free_cooling_above_c",
      "night_flush_above_c", "hr_effectiveness", "frost_limit_c", "blinds_above_c", "capacity_w",
      "loss_fraction", "pump_w", "design_supply_c", "water_drop_k", "emitter_exponent", "f_int_c", "f_sol_c",
      "co2_out_ppm", "unmet_tolerance_k", "ev_point_power_w", "battery_eta", "battery_power_w",
      "battery_min_kwh", "battery_max_kwh", "opt_tolerance_k", "opt_min_recovery_k")
#: Integer parameters, by position in ``ip``.
IP = ("hr_control", "bypass_for_free_cooling", "has_blinds", "has_optimum", "ev_strategy", "has_ev", "has_battery",
      "col_solar", "recording", "wind_films", "col_out", "col_internal")
(F_DT, F_RHOCP, F_SUPSET, F_COILMAX, F_SFP, F_FCOOL, F_FLUSH, F_EPS, F_FROST, F_BLINDS, F_CAP, F_LOSSF, F_PUMP,
 F_DSUP, F_DROP, F_NEXP, F_FINT, F_FSOL, F_CO2OUT, F_UNMET, F_EVP, F_BETA, F_BPOW, F_BMIN, F_BMAX, F_OPTTOL,
 F_OPTMIN) = range(27)
I_HRCTRL, I_BYPASS, I_BLINDS, I_OPT, I_EVSTRAT, I_EV, I_BAT, I_COLSOL, I_REC, I_WIND, I_COLOUT, I_COLINT = range(12)
#: Heat-recovery control codes and EV strategy codes.
HR_CONTROL = {"modulating": 0, "constant": 1, "when_heating": 2}
EV_STRATEGY = {"immediate": 0, "pv_following": 1, "tariff_aware": 2}


@njit(cache=True)
def _recovery(flow, t_out, t_ext, free_cooling, allowed, fp, ip):
    """AHU after recovery: (supply after recovery, coil request, recovered, fan, effectiveness used)."""
    if flow <= 0.0:
        return t_out, 0.0, 0.0, 0.0, 0.0
    bypass = free_cooling and ip[I_BYPASS] == 1
    if bypass or not allowed:
        eps = 0.0
    elif ip[I_HRCTRL] == 0:
        delta = t_ext - t_out
        if abs(delta) < 1e-9:
            eps = 0.0
        else:
            eps = min(max((fp[F_SUPSET] - t_out) / delta, 0.0), fp[F_EPS])
    else:
        eps = fp[F_EPS]
    delta = t_ext - t_out
    exh = t_ext - eps * delta
    eps_eff = eps
    if exh < fp[F_FROST] and delta > 0.0:
        eps_eff = min(max((t_ext - fp[F_FROST]) / delta, 0.0), eps)
    if bypass:
        eps_eff = 0.0
    t_hr = t_out + eps_eff * delta
    cap = fp[F_RHOCP] * flow
    coil = 0.0
    if not free_cooling:
        coil = min(max(cap * (fp[F_SUPSET] - t_hr), 0.0), fp[F_COILMAX])
    return t_hr, coil, cap * (t_hr - t_out), fp[F_SFP] * flow, eps_eff


@njit(cache=True, fastmath={"reassoc", "contract", "nsz", "arcp"})
def advance(i0, i1, fp, ip,
            x, co2, avail, opt_f, opt_b, opt_hist, opt_n, ev_f, battery,
            temp_out, wind, fresh_air, inputs, solar_open, solar_shaded, internal, setpoint_in, hours_to_open,
            network_supply, occupants, fixed_load, pv, ev_off_peak, open_mask,
            t_low, t_piv, t_up, t_e, t_w, s_inv, t_diag, d_raw, ext_area, b_idx, b_ch, b_val, nb, g, g_air, cap,
            bnd_sum, b_colsum, conv, air, star,
            link_a, link_b, link_ia, link_ib, link_g, link_col,
            zp, rec, rec_zone):
    """Advance steps ``i0 .. i1-1`` in place (see the module docstring and Engine.step).

    State (changed in place): ``x`` (z, n) node temperatures, ``co2`` (z,), ``avail`` (1,) substation
    available, optimum start ``opt_f`` (5, z) [rate, start temp, elapsed, max lead, open setpoint],
    ``opt_b`` (3, z) [active, observing, enabled] as 0/1, ``opt_hist`` (z, H) and ``opt_n`` (2, z) [count,
    next slot]; EV points ``ev_f`` (5, p) [remaining kWh, departure s, delivered kWh, from PV kWh, connected];
    ``battery`` (1,) stored kWh. Zone parameters ``zp`` (8, z): [h_inf, design flow, night-flush flow,
    emitter max, volume, CO₂ per person m3/s, thermal bridges, infiltration m3/s, ideal-cooling setpoint
    (NaN: none), ceiling-fan power W (0: none), fans' switch-on operative temperature].
    """
    nz, nn = x.shape
    k = inputs.shape[2]
    dt = fp[F_DT]
    rho_cp = fp[F_RHOCP]
    hours = dt / 3600.0
    u = np.empty((nz, k))
    flows = np.empty(nz)
    x0 = np.empty((nz, nn))
    g_w = np.empty((nz, nn))       # the step's response to 1 W on the air node (g, or refactored with wind)
    gair_w = np.empty(nz)
    wk_piv = np.empty(nn)
    temp_air = np.empty(nz)
    temp_op = np.empty(nz)
    setp = np.empty(nz)
    h_mech = np.empty(nz)
    h_ve = np.empty(nz)
    request = np.empty(nz)
    solar_w = np.empty(nz)
    closed = np.empty(nz)
    cfan = np.empty(nz)
    design_dt = fp[F_DSUP] - 0.5 * fp[F_DROP] - 20.0
    npts = ev_f.shape[1]
    power = np.empty(npts)
    cap_w = np.empty(npts)
    hmax = opt_hist.shape[1]
    # Factors node-major (n, z), so that one sweep runs every zone's chain at once; reciprocal pivots
    # once per call (a multiply is several times cheaper than a division in a serial chain).
    n_el = 0
    for j in range(nz):
        n_el = max(n_el, air[j])
    low_fix = np.zeros((n_el, nz))
    ipiv_fix = np.ones((n_el, nz))
    up_fix = np.zeros((n_el, nz))
    w_fix = np.zeros((n_el, nz, 2))
    for j in range(nz):
        for n in range(air[j]):
            low_fix[n, j] = t_low[j, n]
            ipiv_fix[n, j] = 1.0 / t_piv[j, n]
            up_fix[n, j] = t_up[j, n]
            w_fix[n, j, 0] = t_w[j, n, 0]
            w_fix[n, j, 1] = t_w[j, n, 1]
    wl_t = np.zeros((n_el, nz))
    wi_t = np.ones((n_el, nz))
    ww_t = np.zeros((n_el, nz, 2))
    wk_sinv = np.zeros((nz, 2, 2))
    r_t = np.zeros((n_el, nz))
    r_as = np.zeros((nz, 2))
    cap_dt = cap / dt
    for i in range(i0, i1):
        t_out = temp_out[i]
        for j in range(nz):
            temp_air[j] = x[j, air[j]]
            temp_op[j] = 0.5 * (x[j, air[j]] + x[j, star[j]])
        # AHU flows: demand-controlled while open, free cooling boost, night flush when closed.
        total = 0.0
        for j in range(nz):
            flows[j] = fresh_air[i, j]
            total += flows[j]
        if total > 0.0:
            t_ext = 0.0
            for j in range(nz):
                t_ext += flows[j] * temp_air[j]
            t_ext /= total
            free_cooling = t_ext > fp[F_FCOOL] and t_out < t_ext
            if free_cooling:
                total = 0.0
                for j in range(nz):
                    if flows[j] > 0.0 and temp_air[j] > fp[F_FCOOL]:
                        flows[j] = max(flows[j], zp[1, j])
                    total += flows[j]
        else:
            total = 0.0
            for j in range(nz):
                if temp_air[j] > fp[F_FLUSH] and t_out < temp_air[j] - 2.0:
                    flows[j] = zp[2, j]
                else:
                    flows[j] = 0.0
                total += flows[j]
            if total > 0.0:
                t_ext = 0.0
                for j in range(nz):
                    t_ext += flows[j] * temp_air[j]
                t_ext /= total
            else:
                t_ext = t_out
            free_cooling = total > 0.0
        # Blinds and the zone-network inputs of the step.
        n_closed = 0.0
        for j in range(nz):
            if ip[I_BLINDS] == 1 and temp_air[j] > fp[F_BLINDS]:
                closed[j] = 1.0
                solar_w[j] = solar_shaded[i, j]
            else:
                closed[j] = 0.0
                solar_w[j] = solar_open[i, j]
            n_closed += closed[j]
            for c in range(k):
                u[j, c] = inputs[i, j, c]
            u[j, ip[I_COLSOL]] = solar_w[j]
            # Ceiling fans: on while open and warm (start-of-step operative temperature); their
            # electricity joins the loads and ends as heat in the zone.
            cfan[j] = zp[9, j] if (zp[9, j] > 0.0 and open_mask[i, j] and temp_op[j] > zp[10, j]) else 0.0
            u[j, ip[I_COLINT]] += cfan[j]
        for m in range(link_a.shape[0]):
            a = link_a[m]
            b = link_b[m]
            q = link_g[m] * (x[b, link_ib[m]] - x[a, link_ia[m]])
            u[a, link_col[m]] = q
            u[b, link_col[m]] = -q
        # Setpoints, with the optimum start deciding from the start-of-step operative temperature.
        for j in range(nz):
            setp[j] = setpoint_in[i, j]
        if ip[I_OPT] == 1:
            for j in range(nz):
                h_open = hours_to_open[i, j]
                is_closed = h_open > 0.0
                if opt_b[2, j] == 1.0 and is_closed and opt_b[0, j] == 0.0:
                    gap = max(opt_f[4, j] - temp_op[j], 0.0)
                    lead = min(opt_f[0, j] * gap, opt_f[3, j])
                    if h_open <= lead + 1e-9:
                        opt_b[0, j] = 1.0
                        opt_b[1, j] = 1.0
                        opt_f[1, j] = temp_op[j]
                        opt_f[2, j] = 0.0
                if not is_closed:
                    opt_b[0, j] = 0.0
                if opt_b[0, j] == 1.0:
                    setp[j] = opt_f[4, j]
        for j in range(nz):
            h_mech[j] = rho_cp * flows[j]
            h_ve[j] = h_mech[j] + zp[0, j]
        allowed = True
        if ip[I_HRCTRL] == 2 and total > 0.0:
            t_hr0, coil0, _, _, _ = _recovery(total, t_out, t_ext, free_cooling, False, fp, ip)
            sup0 = t_hr0 + coil0 / (rho_cp * total)
            s = 0.0
            for j in range(nz):
                surf = 0.0
                for n in range(nn):
                    surf += conv[j, n] * (setp[j] - x[j, n])
                c_air = cap[j, air[j]] / dt
                conv_gain = fp[F_FINT] * internal[i, j] + fp[F_FSOL] * solar_w[j]
                q_sp = (c_air * (setp[j] - temp_air[j]) + surf + (zp[0, j] + zp[6, j]) * (setp[j] - t_out)
                        - conv_gain)
                s += q_sp - h_mech[j] * (sup0 - temp_air[j])
            allowed = s > 0.0
        t_hr, coil_req, recovered, fan_w, eps_used = _recovery(total, t_out, t_ext, free_cooling, allowed, fp, ip)
        sup_req = t_hr + coil_req / (rho_cp * total) if total > 0.0 else t_hr
        # Free response of every zone: x⁰ = (C/Δt + K)⁻¹ (C/Δt x + B u), solved in the arrow structure
        # (zone_network.arrow_factors): Thomas on the element nodes, then the 2 x 2 Schur complement of
        # the air and star nodes. The Thomas sweeps are serial chains; they run for all zones at once,
        # node by node (zones padded with identity rows), so that the zones' chains overlap.
        low_t, ipiv_t, w_t, sinv = low_fix, ipiv_fix, w_fix, s_inv
        if ip[I_WIND] == 1:
            # Wind-dependent exterior film: ΔG = (4 + 4 v − 20) A on the outer faces changes the
            # tridiagonal blocks' diagonals: refactor them, W = T⁻¹E, the Schur complements and g.
            dh = 4.0 + 4.0 * max(wind[i], 0.0) - 20.0
            for j in range(nz):
                m = air[j]
                for n in range(m):
                    wk_piv[n] = t_diag[j, n] + dh * ext_area[j, n]
                wl_t[0, j] = 0.0
                for n in range(1, m):
                    wl_t[n, j] = t_up[j, n - 1] / wk_piv[n - 1]
                    wk_piv[n] -= wl_t[n, j] * t_up[j, n - 1]
                for n in range(m):
                    wi_t[n, j] = 1.0 / wk_piv[n]
                for c in range(2):
                    for n in range(m):
                        ww_t[n, j, c] = t_e[j, n, c]
                    for n in range(1, m):
                        ww_t[n, j, c] -= wl_t[n, j] * ww_t[n - 1, j, c]
                    ww_t[m - 1, j, c] *= wi_t[m - 1, j]
                    for n in range(m - 2, -1, -1):
                        ww_t[n, j, c] = (ww_t[n, j, c] - t_up[j, n] * ww_t[n + 1, j, c]) * wi_t[n, j]
                s00, s01, s10, s11 = d_raw[j, 0, 0], d_raw[j, 0, 1], d_raw[j, 1, 0], d_raw[j, 1, 1]
                for n in range(m):
                    s00 -= t_e[j, n, 0] * ww_t[n, j, 0]
                    s01 -= t_e[j, n, 0] * ww_t[n, j, 1]
                    s10 -= t_e[j, n, 1] * ww_t[n, j, 0]
                    s11 -= t_e[j, n, 1] * ww_t[n, j, 1]
                det = s00 * s11 - s01 * s10
                wk_sinv[j, 0, 0], wk_sinv[j, 0, 1] = s11 / det, -s01 / det
                wk_sinv[j, 1, 0], wk_sinv[j, 1, 1] = -s10 / det, s00 / det
                for n in range(m):
                    g_w[j, n] = -(ww_t[n, j, 0] * wk_sinv[j, 0, 0] + ww_t[n, j, 1] * wk_sinv[j, 1, 0])
                g_w[j, m] = wk_sinv[j, 0, 0]
                g_w[j, m + 1] = wk_sinv[j, 1, 0]
                for n in range(m + 2, nn):
                    g_w[j, n] = 0.0
                gair_w[j] = wk_sinv[j, 0, 0]
            low_t, ipiv_t, w_t, sinv = wl_t, wi_t, ww_t, wk_sinv
        else:
            for j in range(nz):
                for n in range(nn):
                    g_w[j, n] = g[j, n]
                gair_w[j] = g_air[j]
        for j in range(nz):
            m = air[j]
            for n in range(m):
                r_t[n, j] = cap_dt[j, n] * x[j, n]
            r_as[j, 0] = cap_dt[j, m] * x[j, m]
            r_as[j, 1] = cap_dt[j, m + 1] * x[j, m + 1]
            for e in range(nb[j]):
                node = b_idx[j, e]
                v = b_val[j, e] * u[j, b_ch[j, e]]
                if node < m:
                    r_t[node, j] += v
                else:
                    r_as[j, node - m] += v
            if ip[I_WIND] == 1:
                for n in range(m):
                    r_t[n, j] += dh * ext_area[j, n] * t_out
        for n in range(1, n_el):
            for j in range(nz):
                r_t[n, j] -= low_t[n, j] * r_t[n - 1, j]
        for j in range(nz):
            r_t[n_el - 1, j] *= ipiv_t[n_el - 1, j]
        for n in range(n_el - 2, -1, -1):
            for j in range(nz):
                r_t[n, j] = (r_t[n, j] - up_fix[n, j] * r_t[n + 1, j]) * ipiv_t[n, j]
        # Schur complement, the exact heating requests.
        total_req = coil_req
        for j in range(nz):
            m = air[j]
            s0 = r_as[j, 0]
            s1 = r_as[j, 1]
            for n in range(m):
                s0 -= t_e[j, n, 0] * r_t[n, j]
                s1 -= t_e[j, n, 1] * r_t[n, j]
            xa = sinv[j, 0, 0] * s0 + sinv[j, 0, 1] * s1
            xs = sinv[j, 1, 0] * s0 + sinv[j, 1, 1] * s1
            for n in range(m):
                x0[j, n] = r_t[n, j] - w_t[n, j, 0] * xa - w_t[n, j, 1] * xs
            x0[j, m] = xa
            x0[j, m + 1] = xs
            for n in range(m + 2, nn):
                x0[j, n] = 0.0
            t_sup = (h_mech[j] * sup_req + zp[0, j] * t_out) / h_ve[j] if h_ve[j] > 0.0 else t_out
            need = (setp[j] * (1.0 + gair_w[j] * h_ve[j]) - x0[j, air[j]]) / gair_w[j] - h_ve[j] * t_sup
            if need > 0.0:  # the emitters' capacity (a pow) only matters when heat is asked for
                dtw = max(network_supply[i] - 0.5 * fp[F_DROP] - temp_air[j], 0.0)
                capacity = (dtw / design_dt) ** fp[F_NEXP]
                request[j] = min(need, zp[3, j] * capacity)
            else:
                request[j] = 0.0
            total_req += request[j]
        # Substation: capacity, losses, outage.
        if avail[0] == 0.0 or total_req <= 0.0:
            scale = meter = loss = 0.0
        else:
            wanted = total_req * (1.0 + fp[F_LOSSF])
            scale = min(1.0, fp[F_CAP] / wanted)
            delivered = total_req * scale
            meter = delivered * (1.0 + fp[F_LOSSF])
            loss = delivered * fp[F_LOSSF]
        coil_w = coil_req * scale
        if scale < 1.0:
            sup = t_hr + coil_w / (rho_cp * total) if total > 0.0 else t_hr
        else:
            sup = sup_req
        # Advance the zones with what was delivered; their energy residual; CO2.
        heat_sum = 0.0
        cool_sum = 0.0
        zone_res = 0.0
        for j in range(nz):
            heating = request[j] * scale
            heat_sum += heating
            t_sup = (h_mech[j] * sup + zp[0, j] * t_out) / h_ve[j] if h_ve[j] > 0.0 else t_out
            a_node = air[j]
            # Ideal cooling (an indicator of the need): the power that holds the air at its cooling
            # set-point when it would rise above it, exact like the heating request.
            cooling = 0.0
            if not math.isnan(zp[8, j]):
                need_c = (zp[8, j] * (1.0 + gair_w[j] * h_ve[j]) - x0[j, a_node]) / gair_w[j] - h_ve[j] * t_sup - heating
                if need_c < 0.0:
                    cooling = -need_c
            cool_sum += cooling
            ta = (x0[j, a_node] + gair_w[j] * (h_ve[j] * t_sup + heating - cooling)) / (1.0 + gair_w[j] * h_ve[j])
            q = h_ve[j] * (t_sup - ta) + heating - cooling
            storage = 0.0
            bound = 0.0
            for n in range(nn):
                xn = x0[j, n] + g_w[j, n] * q
                storage += cap[j, n] * (xn - x[j, n])
                bound -= bnd_sum[j, n] * xn
                if ip[I_WIND] == 1:
                    bound += (4.0 + 4.0 * max(wind[i], 0.0) - 20.0) * ext_area[j, n] * (t_out - xn)
                x[j, n] = xn
            for c in range(k):
                bound += b_colsum[j, c] * u[j, c]
            zone_res += bound + q - storage / dt
            temp_air[j] = x[j, a_node]
            temp_op[j] = 0.5 * (x[j, a_node] + x[j, star[j]])
            if ip[I_REC] == 1:
                rec_zone[Z_HEAT, i, j] = heating
                rec_zone[Z_COOL, i, j] = cooling
            # CO2, well mixed, exact over the step for constant generation and flow.
            vol = zp[4, j]
            flow_tot = flows[j] + zp[7, j]
            gen_ppm_s = occupants[i, j] * zp[5, j] / vol * 1e6
            kk = flow_tot * dt / vol
            c0 = co2[j]
            if kk > 1e-12:
                c_ss = fp[F_CO2OUT] + gen_ppm_s * vol / flow_tot
                decay = math.exp(-kk)
                mean = c_ss + (c0 - c_ss) * (1.0 - decay) / kk
                co2[j] = c_ss + (c0 - c_ss) * decay
            else:
                mean = c0 + 0.5 * gen_ppm_s * dt
                co2[j] = c0 + gen_ppm_s * dt
            if ip[I_REC] == 1:
                rec_zone[Z_CO2, i, j] = mean
        if ip[I_OPT] == 1:
            for j in range(nz):
                if opt_b[1, j] == 0.0:
                    continue
                opt_f[2, j] += hours
                reached = temp_op[j] >= opt_f[4, j] - fp[F_OPTTOL]
                opened = (not reached) and hours_to_open[i, j] <= hours + 1e-9
                if reached or opened:
                    rise = temp_op[j] - opt_f[1, j]
                    if rise >= fp[F_OPTMIN]:
                        slot = int(opt_n[1, j])
                        opt_hist[j, slot] = opt_f[2, j] / rise
                        opt_n[1, j] = (slot + 1) % hmax
                        opt_n[0, j] = min(opt_n[0, j] + 1.0, hmax)
                        best = opt_hist[j, 0]
                        for h in range(1, int(opt_n[0, j])):
                            best = max(best, opt_hist[j, h])
                        opt_f[0, j] = best
                    opt_b[1, j] = 0.0
        # Electricity: PV first to the building's loads, then EV charging, then the battery, then the grid.
        pump_w = fp[F_PUMP] if meter > 0.0 else 0.0
        fans_total = 0.0
        for j in range(nz):
            fans_total += cfan[j]
        load_w = fixed_load[i] + fan_w + pump_w + fans_total
        pv_w = pv[i]
        ev_w = 0.0
        ev_pv = 0.0
        if ip[I_EV] == 1 and ip[I_REC] == 1:
            surplus = max(pv_w - load_w, 0.0)
            now = i * dt
            strat = ip[I_EVSTRAT]
            for p in range(npts):
                present = min(max((ev_f[1, p] - now) / dt, 0.0), 1.0)
                if ev_f[4, p] == 1.0:
                    cap_w[p] = min(fp[F_EVP] * present, ev_f[0, p] * 1e3 / hours)
                else:
                    cap_w[p] = 0.0
                power[p] = cap_w[p]
            if strat == 1 or (strat == 2 and not ev_off_peak[i]):
                floor_sum = 0.0
                for p in range(npts):
                    left_h = max((ev_f[1, p] - now) / 3600.0, hours)
                    fl = ev_f[0, p] * 1e3 / left_h if ev_f[4, p] == 1.0 else 0.0
                    power[p] = min(fl, cap_w[p])
                    floor_sum += power[p]
                if strat == 1:
                    spare = max(surplus - floor_sum, 0.0)
                    for _ in range(npts):
                        takers = 0
                        for p in range(npts):
                            if cap_w[p] - power[p] > 1e-9:
                                takers += 1
                        if spare <= 1e-9 or takers == 0:
                            break
                        share = spare / takers
                        added = 0.0
                        for p in range(npts):
                            room = cap_w[p] - power[p]
                            if room > 1e-9:
                                add = min(room, share)
                                power[p] += add
                                added += add
                        spare -= added
            for p in range(npts):
                ev_w += power[p]
            ev_pv = min(ev_w, surplus)
            share_pv = ev_pv / ev_w if ev_w > 0.0 else 0.0
            for p in range(npts):
                e = power[p] * dt / 3.6e6
                ev_f[0, p] = max(ev_f[0, p] - e, 0.0)
                ev_f[2, p] += e
                ev_f[3, p] += e * share_pv
        net = load_w + ev_w - pv_w
        ch = dis = bloss = 0.0
        if ip[I_BAT] == 1 and ip[I_REC] == 1:
            eta = fp[F_BETA]
            if net < 0.0:
                room_w = (fp[F_BMAX] - battery[0]) * 1e3 / (eta * hours)
                ch = max(0.0, min(-net, fp[F_BPOW], room_w))
            elif net > 0.0:
                avail_w = (battery[0] - fp[F_BMIN]) * 1e3 * eta / hours
                dis = max(0.0, min(net, fp[F_BPOW], avail_w))
            battery[0] += (ch * eta - dis / eta) * hours / 1e3
            bloss = ch * (1.0 - eta) + dis * (1.0 / eta - 1.0)
        grid = net + ch - dis
        imp = grid if grid > 0.0 else 0.0
        exp = -grid if grid <= 0.0 else 0.0
        if ip[I_REC] == 0:
            continue
        rec[R_PV, i] = pv_w
        rec[R_EV, i] = ev_w
        rec[R_EVPV, i] = ev_pv
        rec[R_BCH, i] = ch
        rec[R_BDIS, i] = dis
        rec[R_BLOSS, i] = bloss
        rec[R_BKWH, i] = battery[0] if ip[I_BAT] == 1 else 0.0
        rec[R_IMP, i] = imp
        rec[R_EXP, i] = exp
        rec[R_LOAD, i] = load_w
        rec[R_ERES, i] = pv_w + imp + dis - (load_w + ev_w + exp + ch)
        rec[R_EMIT, i] = heat_sum
        rec[R_COIL, i] = coil_w
        rec[R_REQ, i] = total_req
        rec[R_REC, i] = recovered
        rec[R_DH, i] = meter
        rec[R_LOSS, i] = loss
        rec[R_PUMP, i] = pump_w
        rec[R_FAN, i] = fan_w
        rec[R_FLOW, i] = total
        rec[R_SUP, i] = sup if total > 0.0 else np.nan
        rec[R_EFF, i] = eps_used
        rec[R_AVAIL, i] = avail[0]
        sol_sum = 0.0
        int_sum = 0.0
        for j in range(nz):
            sol_sum += solar_w[j]
            int_sum += internal[i, j] + cfan[j]
            rec_zone[Z_CFAN, i, j] = cfan[j]
        rec[R_GAINS, i] = sol_sum + int_sum + heat_sum + cool_sum
        rec[R_COOL, i] = cool_sum
        rec[R_SOLAR, i] = sol_sum
        rec[R_BLINDS, i] = n_closed / nz if ip[I_BLINDS] == 1 else 0.0
        sub_res = meter - (heat_sum + coil_w) - loss
        ahu_res = recovered + coil_w - rho_cp * total * (sup - t_out) if total > 0.0 else 0.0
        rec[R_RES, i] = zone_res + sub_res + ahu_res
        for j in range(nz):
            rec_zone[Z_AIR, i, j] = temp_air[j]
            rec_zone[Z_OP, i, j] = temp_op[j]
            rec_zone[Z_SET, i, j] = setp[j]
            rec_zone[Z_UNMET, i, j] = 1.0 if open_mask[i, j] and temp_air[j] < setp[j] - fp[F_UNMET] else 0.0
