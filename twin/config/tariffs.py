"""Schemas of the tariffs: electricity (flat or C4 time of use) and district heat (R1/R2).

What the bills come to is :mod:`twin.tariffs`, which re-exports these classes; this module is
read by every validation and imports neither numpy nor pandas.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["DistrictHeatTariff", "ElectricityTariff", "minute_mask"]

NonNegFloat = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]
# 'HH:MM-HH:MM' in civil time; may wrap midnight ('22:00-06:00'); 24:00 allowed as an end.
ClockRange = Annotated[str, Field(pattern=r"^([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$")]
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]


class _Strict(BaseModel):
    """Same configuration as ``twin.scenario.Strict``: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _minutes(clock: str) -> int:
    h, m = clock.split(":")
    return int(h) * 60 + int(m)


def _parse_range(text: str) -> tuple[int, int]:
    """'HH:MM-HH:MM' -> (start, end) in minutes since civil midnight; end may be < start (wraps)."""
    start, end = (_minutes(part) for part in text.split("-"))
    if start > 24 * 60 or end > 24 * 60:
        raise ValueError(f"off-peak range '{text}' goes past 24:00")
    if start == end or (start == 24 * 60 and end == 0):
        raise ValueError(f"off-peak range '{text}' is empty (start = end)")
    return start, end


def minute_mask(ranges) -> list[bool]:
    """1440 flags: minute m of the civil day lies in one of the ranges (start inclusive, end exclusive).

    Raises ValueError when a range is empty, goes past 24:00 or overlaps another.
    """
    mask = [False] * (24 * 60)
    for text in ranges:
        start, end = _parse_range(text)
        part = range(start, end) if start < end else [*range(start, 24 * 60), *range(end)]
        if any(mask[m] for m in part):
            raise ValueError(f"off-peak range '{text}' overlaps another range of {list(ranges)!r}")
        for m in part:
            mask[m] = True
    return mask


def _check_month_day(name: str, text: str) -> None:
    month, day = int(text[:2]), int(text[3:])
    try:
        dt.date(2000, month, day)  # a leap year accepts 02-29
    except ValueError:
        raise ValueError(f"{name} '{text}' is not a day of the year (MM-DD)") from None


class ElectricityTariff(_Strict):
    """Electricity bought from the grid: one all-in price, or the C4 "tarif jaune" time-of-use structure.

    ``kind`` decides which fields are used; the others may be present and are
    ignored, so that a design option switches tariff with one override.

    ``kind = "flat"``: every kWh at ``energy_eur_kwh``, all-in (supply,
    TURPE, accise and CTA included; DF §3 default 0.20 €/kWh [E], range
    0.18-0.22). No subscription line: it is inside the average price.

    ``kind = "time_of_use"`` (C4, > 36 kVA, four periods): energy priced by
    period (HPH/HCH in the high season, HPE/HCE in the low season, "C" =
    off-peak hours), plus the subscription per kVA per year, the excise duty
    (accise) and a network (TURPE) energy component per MWh, plus an optional
    penalty on power above the subscribed kVA. CTA and the TURPE fixed and
    metering components are not itemised (not found, DF §3 gap 4).
    """

    kind: Literal["flat", "time_of_use"] = Field(
        default="flat", description="'flat' (one all-in price) or 'time_of_use' (C4 tarif jaune, 4 periods).")
    energy_eur_kwh: NonNegFloat | None = Field(
        default=None, description="Flat only: all-in average price incl. TURPE, accise, CTA [EUR/kWh]. "
        "[E] DF §3: 0.20 (0.18-0.22).")
    hph_eur_mwh: NonNegFloat = Field(
        default=180.0, description="High season, peak hours [EUR/MWh]. [V] CRE 'profil jaune' reference, 20 Jan 2025 (DF §3).")
    hch_eur_mwh: NonNegFloat = Field(
        default=133.0, description="High season, off-peak hours [EUR/MWh]. [V] CRE, 20 Jan 2025 (DF §3).")
    hpe_eur_mwh: NonNegFloat = Field(
        default=88.0, description="Low season, peak hours [EUR/MWh]. [V] CRE, 20 Jan 2025 (DF §3).")
    hce_eur_mwh: NonNegFloat = Field(
        default=74.0, description="Low season, off-peak hours [EUR/MWh]. [V] CRE, 20 Jan 2025 (DF §3).")
    high_season_from: MonthDay = Field(
        default="11-01", description="First civil day of the high season, MM-DD. [V] 1 Nov (DF §3).")
    high_season_to: MonthDay = Field(
        default="03-31", description="Last civil day of the high season (inclusive; may wrap the new year). [V] 31 Mar (DF §3).")
    off_peak_hours: list[ClockRange] = Field(
        default=["22:00-06:00"], description="Civil off-peak windows 'HH:MM-HH:MM' (may wrap midnight), every day. "
        "[E] 8 h at night; the real hours are set locally by Enedis (8 h/day, >= 5 h at night, since Nov 2025 "
        "up to 3 h between 11:00 and 17:00, DF §3).")
    off_peak_hours_low_season: list[ClockRange] | None = Field(
        default=None, description="Off-peak windows in the low season when they differ (e.g. afternoon hours "
        "in summer, DF §3); None = same as off_peak_hours.")
    subscription_eur_kva_year: NonNegFloat = Field(
        default=45.0, description="Subscription per subscribed kVA per year [EUR/(kVA yr)]. [V] CRE 20 Jan 2025 "
        "(DF §3; seasonal variant 41).")
    excise_eur_mwh: NonNegFloat = Field(
        default=26.58, description="Accise (ex-TICFE), > 36 kVA 'PME' rate from 1 Feb 2026 [EUR/MWh]. [V] DF §3.")
    network_eur_mwh: NonNegFloat = Field(
        default=50.0, description="Network (TURPE) energy component, all periods [EUR/MWh]. [E] DF §3 estimates "
        "TURPE at 0.04-0.06 EUR/kWh on top of the CRE energy prices; the TURPE 7 C4 coefficients were not "
        "found. Set 0 if the energy prices already include the network.")
    overrun_eur_kvah: NonNegFloat = Field(
        default=0.0, description="Penalty per kVA above the subscribed power per hour (per kVA.h of excess) "
        "[EUR/(kVA h)]. [E] 0 = not priced; the TURPE C4 overrun component (CMDPS) was not found (DF §3).")

    @model_validator(mode="after")
    def _consistent(self):
        # The fields of the other kind may stay (unused) so that an option can switch with one
        # override, e.g. --set tariffs.electricity.kind=time_of_use on a flat baseline.
        if self.kind == "flat" and self.energy_eur_kwh is None:
            raise ValueError("kind 'flat' needs energy_eur_kwh (the all-in price, EUR/kWh)")
        _check_month_day("high_season_from", self.high_season_from)
        _check_month_day("high_season_to", self.high_season_to)
        minute_mask(self.off_peak_hours)
        if self.off_peak_hours_low_season is not None:
            minute_mask(self.off_peak_hours_low_season)
        return self

    def period_prices_eur_mwh(self) -> dict[str, float]:
        """Energy price by period [EUR/MWh] (time of use only)."""
        return {"hph": self.hph_eur_mwh, "hch": self.hch_eur_mwh, "hpe": self.hpe_eur_mwh, "hce": self.hce_eur_mwh}


class DistrictHeatTariff(_Strict):
    """Two-part district-heat tariff of the Planoise network (DF §2), excluding VAT.

    R1 pays the energy delivered, R2 the subscribed capacity (R21 auxiliaries'
    electricity, R22 operation and maintenance, R23 major renewal, R24
    financing). The Besançon R1/R2 values are not public: R1 is DF §2's [E]
    midpoint and R2 is calibrated (:func:`calibrate_subscription_eur_kw_year`)
    so that the all-in price is the network's 90.04 EUR TTC/MWh [V] at the
    baseline's own draw in a median year: the medians over weather seeds 1-10, 21.31 MWh/yr on the
    advised 72 kW (docs/economics.md §1.2).
    """

    energy_eur_mwh: NonNegFloat = Field(
        default=55.0, description="R1, per MWh delivered, excl. VAT [EUR/MWh]. [E] DF §2: 50-60.")
    subscription_eur_kw_year: NonNegFloat = Field(
        default=8.98, description="R2, per kW subscribed per year, excl. VAT [EUR/(kW yr)]. [E] calibrated: "
        "(90.04/1.055 - 55) x 21.31 MWh / 72 kW, medians over weather seeds 1-10 (docs/economics.md §1.2).")
    vat_rate: Fraction = Field(
        default=0.055, description="VAT for reporting incl.-VAT figures [-]. [V] DF §2: 5.5 % on R2, and on R1 "
        "when the network is > 50 % renewable/recovered (Planoise ≈ 75 %).")
