"""Model and scenario files: schema, loading, inheritance, overrides, errors.

Two kinds of TOML file:

* a **model** (``models/*.toml``) describes the building: location, envelope,
  zones, occupancy profiles, calendar and one section per system;
* a **scenario** (``scenarios/*.toml``) names a model, the weather source, the
  period, the time step, the seed, the tariffs, and may override any model or
  scenario value by a dotted path. A *design option* is a scenario that
  ``inherits`` another and overrides a few values.

Both are validated with pydantic models that reject unknown keys. Every
mistake a user can make is reported as a :class:`twin.errors.ScenarioError`
whose message is one line naming the file, the field, the value and what is
expected. Files are data: they are parsed with :mod:`tomllib` only.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import json
import math
import re
import tomllib
import types
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from twin.config.climate import CLIMATE_LEVELS
from twin.config.occupancy import OccupancySpec
from twin.config.tariffs import DistrictHeatTariff, ElectricityTariff
from twin.dotted import MAX_DEPTH, depth, flatten
from twin.errors import ScenarioError
from twin.physics.constructions import Layer

__all__ = [
    "Model",
    "Scenario",
    "Zone",
    "load_scenario",
    "load_model_file",
    "check_file",
    "json_schemas",
    "apply_override",
]

PosFloat = Annotated[float, Field(gt=0)]
NonNegFloat = Annotated[float, Field(ge=0)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
HHMMRange = Annotated[str, Field(pattern=r"^(|([01]\d|2[0-4]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d)$")]
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]

ORIENTATION_AZIMUTH_DEG = {"north": 0.0, "east": 90.0, "south": 180.0, "west": 270.0}
"""Facade azimuths, pvlib convention (degrees clockwise from north)."""


class Strict(BaseModel):
    """Base of every schema: unknown keys are errors, values are immutable, numbers are finite.

    ``allow_inf_nan=False``: TOML and ``--set`` accept ``nan`` and ``inf``, which would pass every
    ``ge``/``le`` bound unnoticed (NaN compares false) and poison a whole run.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


# --------------------------------------------------------------------------- model


class Location(Strict):
    latitude_deg: float = Field(ge=-90, le=90, description="Site latitude [deg N].")
    longitude_deg: float = Field(ge=-180, le=180, description="Site longitude [deg E].")
    altitude_m: float = Field(ge=-500, le=6000, description="Site altitude [m].")
    civil_timezone: str = Field(description="IANA time zone of schedules, e.g. Europe/Paris.")
    standard_utc_offset_h: float = Field(
        ge=-12, le=14, description="Offset of local standard time (weather files) from UTC [h]."
    )


class Building(Strict):
    name: str
    total_floor_area_m2: PosFloat = Field(description="Conditioned floor area; zones must add up to it [m2].")
    location: Location


class Blinds(Strict):
    """Movable external blinds closed by the BMS when the sun on a facade is strong."""

    shading_factor: Fraction = Field(description="F_sh of the window while the blinds are closed [-].")
    close_above_w_m2: PosFloat = Field(description="Closed on a facade whose plane-of-array irradiance exceeds this [W/m2]...")
    close_when_zone_above_c: float = Field(
        ge=-10, le=60, description="... and whose zone air was warmer than this at the previous step [°C]."
    )


class FixedShading(Strict):
    """Fixed external shading of the windows of one facade: a horizontal overhang above them and
    vertical fins on both sides, both at least as long as the window (twin.physics.solar)."""

    window_height_m: PosFloat = Field(description="Height of a typical window of the facade [m].")
    window_width_m: PosFloat = Field(description="Width of the window between two fins [m].")
    overhang_depth_m: NonNegFloat = Field(default=0.0, description="Projection of the overhang from the glazing [m].")
    overhang_gap_m: NonNegFloat = Field(default=0.0, description="Height of the overhang above the window head [m].")
    fin_depth_m: NonNegFloat = Field(default=0.0, description="Projection of the fins at both window sides [m].")


class FacadeShading(Strict):
    """Fixed external shading per facade orientation; absent = none on that facade."""

    north: FixedShading | None = None
    east: FixedShading | None = None
    south: FixedShading | None = None
    west: FixedShading | None = None


#: Angular SHGC of clear double glazing (1/8 in. panes) at 0/40/50/60/70/80° and hemispherical diffuse:
#: 0.65, 0.64, 0.61, 0.56, 0.43, 0.23 and 0.57 -- ASHRAE Handbook of Fundamentals 2005, ch. 31 Table 13
#: (as reproduced in Autodesk's gbXML WindowType documentation, "Double glazing - 1/8 in. thick");
#: here divided by the normal-incidence value, and 0 at 90° (grazing light is all reflected).
ASHRAE_DOUBLE_CLEAR_ANGLES_DEG = (0.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0)
ASHRAE_DOUBLE_CLEAR_SHGC = (0.65, 0.64, 0.61, 0.56, 0.43, 0.23, 0.0)
ASHRAE_DOUBLE_CLEAR_DIFFUSE_SHGC = 0.57


class WindowAngular(Strict):
    """SHGC at angles of incidence relative to normal incidence, and for hemispherical diffuse light."""

    angles_deg: list[float] = Field(
        default=list(ASHRAE_DOUBLE_CLEAR_ANGLES_DEG),
        description="Angles of incidence, increasing from 0 to 90 [deg].",
    )
    shgc_ratio: list[float] = Field(
        default=[v / ASHRAE_DOUBLE_CLEAR_SHGC[0] for v in ASHRAE_DOUBLE_CLEAR_SHGC],
        description="SHGC(θ)/SHGC(0) at those angles, 1 at 0° [-]; linear in between.",
    )
    diffuse_ratio: Fraction = Field(
        default=ASHRAE_DOUBLE_CLEAR_DIFFUSE_SHGC / ASHRAE_DOUBLE_CLEAR_SHGC[0],
        description="Hemispherical-diffuse SHGC / SHGC(0) [-].",
    )

    @model_validator(mode="after")
    def _table(self) -> WindowAngular:
        a, r = self.angles_deg, self.shgc_ratio
        if len(a) != len(r) or len(a) < 2:
            raise ValueError(f"angles_deg ({len(a)} values) and shgc_ratio ({len(r)}) must have the same length >= 2")
        if a[0] != 0.0 or a[-1] != 90.0 or any(b <= c for c, b in zip(a, a[1:], strict=False)):
            raise ValueError(f"angles_deg must increase strictly from 0 to 90, got {a}")
        if abs(r[0] - 1.0) > 1e-9 or any(not 0.0 <= v <= 1.0 for v in r):
            raise ValueError(f"shgc_ratio must be 1 at 0° and within [0, 1], got {r}")
        return self



_LIBRARY_FILE = Path(__file__).parent / "data" / "materials.toml"


@functools.cache
def material_library() -> dict[str, Material]:
    """The shipped materials (twin/data/materials.toml), each with its source."""
    with _LIBRARY_FILE.open("rb") as fh:
        raw = tomllib.load(fh)
    return {name: Material.model_validate(values) for name, values in raw.items()}


class Material(Strict):
    """A homogeneous building material (EN ISO 10456 design values or a product's declared values)."""

    conductivity_w_mk: float = Field(gt=0, le=500, description="Design thermal conductivity lambda [W/(m K)].")
    density_kg_m3: float = Field(ge=0, le=25_000, description="Density rho [kg/m3].")
    specific_heat_j_kgk: float = Field(ge=0, le=10_000, description="Specific heat capacity c_p [J/(kg K)].")
    source: str = Field(min_length=1, description="Where the values come from (standard table, product sheet, [E]).")


class ConstructionLayer(Strict):
    material: Identifier = Field(description="Name of a material of [materials] or of the shipped library.")
    thickness_m: float = Field(gt=0, le=3, description="Layer thickness [m].")
    name: Identifier | None = Field(
        default=None, description="Optional name, to address the layer in overrides (else its material's name)."
    )


class Construction(Strict):
    """Ordered layers, OUTSIDE to INSIDE (roof and floors between storeys: top to bottom; slab on ground:
    ground side first). Layers outside a well-ventilated air layer (rainscreen cladding) are left out,
    as ISO 6946 §6.9 does."""

    description: str = ""
    layers: list[ConstructionLayer] = Field(min_length=1, max_length=30)


class EnvelopeConstructions(Strict):
    """Names of the constructions of each kind of element, for every zone (a zone may override them)."""

    external_wall: Identifier
    roof: Identifier
    ground_floor: Identifier
    internal_floor: Identifier = Field(description="Floors between storeys: zone links and floors inside a zone.")
    partition: Identifier = Field(description="Internal partitions with both faces in the zone.")


class ZoneConstructions(Strict):
    """A zone's own constructions where they differ from [envelope.constructions]."""

    external_wall: Identifier | None = None
    roof: Identifier | None = None
    ground_floor: Identifier | None = None
    internal_floor: Identifier | None = None
    partition: Identifier | None = None


class Envelope(Strict):
    constructions: EnvelopeConstructions = Field(
        description="Construction of each kind of element; U-values and heat capacities follow from their layers."
    )
    window_u_w_m2k: PosFloat = Field(description="Window U-value with frame and surface films (EN ISO 10077) [W/(m2 K)].")
    window_g_value: Fraction = Field(description="Total solar energy transmittance at normal incidence [-].")
    window_frame_fraction: Fraction
    thermal_bridges_delta_u_w_m2k: NonNegFloat = Field(
        description="Linear thermal bridges as an extra U over the external walls and roof, a conductance from "
        "the zone air to outdoor air (ISO 52016-1 H_tb) [W/(m2 K)]."
    )
    films: Literal["iso6946", "wind"] = Field(
        default="iso6946",
        description="Surface films: 'iso6946' (default) = the design coefficients of ISO 6946:2017 Annex C (h_ce 20, "
        "h_re 4.14, h_ci 2.5 / 5.0 / 0.7, h_ri 5.13 W/(m2 K)), constant; 'wind' = the exterior convective film "
        "follows the weather's wind speed, h_ce = 4 + 4 v (ISO 6946 Annex C eq. C.8), the others as 'iso6946'.",
    )
    internal_heat_capacity_j_m2k: float = Field(
        default=10_000.0, gt=0, le=200_000,
        description="Heat capacity of the zone air and furniture per m2 of floor, ISO 52016-1 Table B.17 "
        "(10,000 J/(m2 K)); at least that of the air itself is used [J/(m2 K)].",
    )
    internal_gains_convective_fraction: Fraction = Field(
        default=0.4, description="Convective share of internal gains, ISO 52016-1 f_int,c = 0.4; the rest is "
        "radiated to the inside surfaces by area [-].",
    )
    solar_convective_fraction: Fraction = Field(
        default=0.1, description="Convective share of the solar gains through windows, ISO 52016-1 f_sol,c = 0.1; "
        "the rest falls on the inside surfaces by area [-].",
    )
    ground_model: Literal["iso13370", "b_factor"] = Field(
        default="iso13370",
        description="'iso13370': the slab construction, 0.5 m of soil below it and a resistance bringing the whole "
        "to ISO 13370's U lead to a monthly virtual ground temperature (ISO 52016-1 §6.5.8); 'b_factor': the slab "
        "construction leads to outdoor air with its U reduced by the factor b (EN ISO 13789).",
    )
    ground_temperature_factor: Fraction | None = Field(
        default=None,
        description="b factor of ground_model = 'b_factor' (EN ISO 13789 adjustment) [-].",
    )
    ground_conductivity_w_mk: PosFloat = Field(
        default=2.0, description="Ground thermal conductivity, ISO 13370 Table 7 (2.0: sand or gravel, the default "
        "when the soil is unknown; 1.5 clay or silt; 3.5 rock) [W/(m K)].",
    )
    ground_heat_capacity_j_m3k: PosFloat = Field(
        default=2.0e6, description="Ground volumetric heat capacity, ISO 13370 Table 7 (sand or gravel) [J/(m3 K)].",
    )
    ground_wall_thickness_m: NonNegFloat = Field(
        default=0.3, description="Thickness w of the external walls at ground level, ISO 13370 eq. 3 [m].",
    )
    ground_edge_psi_w_mk: float | str = Field(
        default=0.0,
        description="Linear thermal transmittance psi_g of the wall/slab junction, added to the slab's steady "
        "conductance as ISO 13370 H_g = A U + P psi_g [W/(m K)]: a number (e.g. from ISO 14683's tables; 0, the "
        "default, = a thermally broken edge) or 'iso10211' = computed by a 2-D steady calculation of each zone's "
        "external wall continued down to the slab bottom beside its slab layers (twin.physics.slab_edge).",
    )
    floor_above_grade_m: float = Field(
        default=0.2, ge=0.0, le=1.5,
        description="Height of the ground floor's top surface above the outside ground [m] (the 2-D junction of "
        "ground_edge_psi_w_mk = 'iso10211'; 0.2 m is EnergyPlus Kiva's default foundation wall above grade).",
    )

    @field_validator("ground_edge_psi_w_mk", mode="before")
    @classmethod
    def _psi_or_method(cls, value):
        if value == "iso10211":
            return value
        if isinstance(value, bool):
            value = str(value).lower()
        try:
            psi = float(value)
        except (TypeError, ValueError):
            psi = math.nan
        if not (-0.5 <= psi <= 2.0):  # also refuses NaN; ISO 14683's tables span about -0.2 to 1.2
            raise ValueError(f"expected a number from -0.5 to 2.0 W/(m K) or 'iso10211', got {value!r}")
        return psi
    facade_solar_model: Literal["isotropic", "haydavies", "perez"] = "perez"
    ground_albedo: Fraction = 0.2
    window_solar_model: Literal["tabulated", "angular", "fixed_fw"] = Field(
        default="tabulated",
        description="'tabulated': angular SHGC ratios of [envelope.window_angular] on direct light, its hemispherical "
        "ratio on diffuse light (default table: ASHRAE clear double glazing); 'angular': ASHRAE incidence-angle "
        "modifier with window_iam_b0, diffuse at 59° (Duffie & Beckman eq. 5.4.2); 'fixed_fw': g x 0.9 at every "
        "angle (ISO 13790 §11.4.2).",
    )
    window_angular: WindowAngular = Field(
        default_factory=WindowAngular,
        description="Angular SHGC of the glazing, used by window_solar_model = 'tabulated'.",
    )
    window_iam_b0: float = Field(
        default=0.16, ge=0, le=1,
        description="ASHRAE IAM coefficient b0 of window_solar_model = 'angular' [-]; 0.16 is a least-squares fit "
        "of the ASHRAE clear double-glazing table over 40-70° (0.05 is pvlib's value for a single PV cover glass).",
    )
    opaque_solar_absorptance: Fraction = Field(default=0.6, description="Solar absorptance of walls and roof [-].")
    roof_solar_absorptance: Fraction | None = Field(
        default=None, description="Solar absorptance of the roofs' outer face where it differs from the walls' "
        "(e.g. a green roof's equivalent value) [-]; absent = opaque_solar_absorptance.",
    )
    fixed_shading: FacadeShading | None = Field(
        default=None, description="Fixed overhangs and fins per facade, on the direct beam by geometry and on the "
        "diffuse light by the sky-view factor; absent = none (window_shading_factor still applies).",
    )
    external_emissivity: Fraction = Field(default=0.9, description="Long-wave emissivity of external surfaces [-].")
    sky_temperature_difference_k: float = Field(
        default=11.0, ge=0, le=30, description="Mean air-to-sky temperature difference, ISO 13790 §11.4.6 [K]."
    )
    blinds: Blinds | None = Field(default=None, description="Movable solar protection; absent = none.")


class ByOrientation(Strict):
    north: NonNegFloat = 0.0
    east: NonNegFloat = 0.0
    south: NonNegFloat = 0.0
    west: NonNegFloat = 0.0


class ZoneOccupancy(Strict):
    capacity_persons: Annotated[int, Field(ge=0)]
    profile: Identifier | None = Field(
        default=None, description="Name of a profile in [profiles] (schedule occupancy model only)."
    )
    opening: Identifier = Field(description="Name of an opening-hours entry in [calendar.opening].")
    sensible_gain_w_per_person: NonNegFloat
    latent_gain_w_per_person: NonNegFloat
    co2_l_h_per_person: NonNegFloat = Field(
        default=19.0, description="CO2 exhaled per person [L/h]; ~19 L/h at 1.2 met (ASHRAE 62.1 Appendix D)."
    )


class ZoneLoads(Strict):
    lighting_w_m2: NonNegFloat = Field(description="Installed lighting power density [W/m2].")
    daylight_factor_percent: float = Field(
        ge=0, le=20, description="Mean daylight factor of the zone: indoor / outdoor horizontal illuminance [%]."
    )
    lighting_target_lux: PosFloat = Field(default=500.0, description="Maintained illuminance the dimming aims at [lx].")
    lighting_min_dim_fraction: Fraction = Field(default=0.1, description="Power of fully dimmed lights, share of installed [-].")
    equipment_open_w_m2: NonNegFloat = Field(description="Plug/process loads when open at full occupancy [W/m2].")
    equipment_base_w_m2: NonNegFloat = Field(description="Plug/process loads always on [W/m2].")


class ZoneVentilation(Strict):
    fresh_air_m3_h_per_person: NonNegFloat = Field(
        description="Fresh air per occupant [m3/(h person)]; where staff_share > 0, the rate of the public (RSDT art. "
        "64.1 for people without a salaried activity there).")
    min_fresh_air_m3_h_m2: NonNegFloat = Field(description="Floor-area minimum while open [m3/(h m2)].")
    infiltration_ach: NonNegFloat = Field(description="Infiltration air changes per hour [1/h].")
    staff_fresh_air_m3_h_per_person: NonNegFloat | None = Field(
        default=None, description="Fresh air per member of staff working in the zone (Code du travail R4222-6) "
        "[m3/(h person)]; None: every occupant at fresh_air_m3_h_per_person.")
    staff_share: Fraction = Field(
        default=0.0, description="Share of the zone's occupants who are staff (e.g. one trainer per group) [-]; "
        "the rest breathe at fresh_air_m3_h_per_person. The two requirements add up (RSDT art. 62).")

    @model_validator(mode="after")
    def _staff_rate_given(self) -> ZoneVentilation:
        if self.staff_share > 0 and self.staff_fresh_air_m3_h_per_person is None:
            raise ValueError(f"staff_share {self.staff_share:g} needs staff_fresh_air_m3_h_per_person (expected the "
                             "Code du travail rate for staff, e.g. 25 m3/h for offices)")
        return self

    @property
    def per_person_m3_h(self) -> float:
        """Mean fresh air per occupant [m3/(h person)]: public and staff rates weighted by the staff share."""
        staff = self.staff_fresh_air_m3_h_per_person
        if staff is None or self.staff_share == 0:
            return self.fresh_air_m3_h_per_person
        return (1.0 - self.staff_share) * self.fresh_air_m3_h_per_person + self.staff_share * staff


class ZoneHeating(Strict):
    setpoint_open_c: float = Field(ge=5, le=30)
    setpoint_closed_c: float = Field(ge=5, le=30)
    emitter_max_w_m2: NonNegFloat
    preheat_h: float = Field(
        ge=0, le=12,
        description="'fixed' start: heating starts this long before opening; 'optimum': the longest lead allowed [h].",
    )
    start_control: Literal["fixed", "optimum"] = Field(
        default="fixed",
        description="'fixed': restart preheat_h before opening; 'optimum': the BMS learns each zone's warm-up rate "
        "and restarts just early enough to reach the occupied setpoint at opening (twin/systems/optimum_start.py).",
    )


class CeilingFans(Strict):
    """Ceiling fans: a higher air speed while the zone is open and warm (comfort allowance) and their electricity."""

    air_speed_m_s: float = Field(gt=0, le=2.0, description="Air speed at the occupants with the fans on [m/s].")
    power_w_m2: NonNegFloat = Field(description="Electric power of the fans per m2 of floor while on [W/m2].")
    on_above_c: float = Field(default=26.0, ge=15, le=40,
                              description="The fans run while the zone is open and its operative temperature is above this [°C].")


class Zone(Strict):
    name: Identifier
    floor: int = Field(ge=-5, le=50)
    floor_area_m2: PosFloat
    height_m: float = Field(gt=0, le=20, description="Storey height; an atrium is at most 20 m [m].")
    wall_area_m2: ByOrientation = Field(description="Opaque exterior wall area [m2].")
    window_area_m2: ByOrientation = Field(description="Window area including frame [m2].")
    roof_area_m2: NonNegFloat = 0.0
    ground_floor_area_m2: NonNegFloat = 0.0
    ground_floor_exposed_perimeter_m: NonNegFloat | None = Field(
        default=None,
        description="Exposed perimeter of the zone's slab on ground [m]; default: the length of the zone's "
        "external walls, (walls + windows) / height.",
    )
    window_shading_factor: Fraction = Field(description="F_sh: share of solar gain left by shading [-].")
    partition_area_m2: NonNegFloat = Field(
        default=0.0, description="Internal partitions inside the zone, both faces in the zone (one face counted) [m2]."
    )
    internal_floor_area_m2: NonNegFloat = Field(
        default=0.0, description="Floors between storeys inside the zone (e.g. a two-storey open plan) [m2]."
    )
    constructions: ZoneConstructions = Field(
        default_factory=ZoneConstructions, description="The zone's own constructions where they differ from the envelope's."
    )
    occupancy: ZoneOccupancy
    loads: ZoneLoads
    ventilation: ZoneVentilation
    heating: ZoneHeating
    cooling_setpoint_c: float | None = Field(
        default=None, ge=15, le=40,
        description="Ideal cooling that holds the zone air at most at this temperature, all hours: the cooling "
        "NEED of the zone as an indicator (no chiller, no energy bought) [°C]; absent = no cooling.",
    )
    ceiling_fans: CeilingFans | None = Field(
        default=None, description="Ceiling fans, run while open and warm: an elevated air speed in the comfort KPIs, "
        "their electricity in the loads and their heat in the zone (comfort.ceiling_fans); absent = none.",
    )

    def exposed_perimeter_m(self) -> float:
        """Exposed perimeter of the zone's slab on ground [m]: as given, else its external wall length."""
        if self.ground_floor_area_m2 <= 0.0:
            return 0.0
        if self.ground_floor_exposed_perimeter_m is not None:
            return self.ground_floor_exposed_perimeter_m
        gross = sum(getattr(self.wall_area_m2, o) + getattr(self.window_area_m2, o) for o in ORIENTATION_AZIMUTH_DEG)
        return gross / self.height_m


class ZoneLink(Strict):
    """A floor between storeys (or a wall) through which two zones exchange heat."""

    zones: tuple[Identifier, Identifier] = Field(
        description="The two zones: for a floor, the zone BELOW first (its ceiling), then the zone above (its floor)."
    )
    area_m2: PosFloat
    construction: Identifier | None = Field(
        default=None, description="Its construction, layers from the upper (or first) zone's side; default: "
        "envelope.constructions.internal_floor.",
    )
    orientation: Literal["floor", "wall"] = Field(
        default="floor", description="'floor': horizontal, zones[0] below; 'wall': a vertical partition."
    )


class Profile(Strict):
    hourly_fraction: list[Fraction] = Field(min_length=24, max_length=24)
    weekday_factor: list[Fraction] = Field(min_length=7, max_length=7, description="Mon..Sun.")
    school_holiday_factor: float = Field(default=1.0, ge=0, le=3, description="Multiplier in school holidays; occupancy is capped at capacity.")
    summer_closure_factor: float | None = Field(
        default=None, ge=0, le=3, description="Multiplier on the days of a calendar.summer_closure that the zone stays "
        "open through (its except_zones), instead of school_holiday_factor; None: those days are like any other.",
    )


class Period(Strict):
    """A closure every year, MM-DD to MM-DD inclusive."""

    start: MonthDay
    end: MonthDay
    except_zones: list[Identifier] = Field(
        default=[], description="Zones that stay open through the closure (floors rented to companies): their "
        "heating, ventilation and lighting keep their schedule and their populations come. The other zones and "
        "the building's shared services (cleaning) close. Default: every zone closes.",
    )


class Calendar(Strict):
    country: Literal["FR"] = "FR"
    opening: dict[Identifier, list[HHMMRange]] = Field(
        description="Per schedule name, seven 'HH:MM-HH:MM' ranges (Mon..Sun, '' = closed)."
    )
    closed_on_public_holidays: bool = True
    summer_closure: list[Period] = []
    school_holidays: list[tuple[dt.date, dt.date]] = Field(
        default=[], description="Inclusive [first, last] days of school holidays typed by hand (use school_holiday_zone "
        "for the official French calendar)."
    )
    school_holiday_zone: Literal["A", "B", "C"] | None = Field(
        default=None, description="French school-holiday zone whose official holidays (published in the `holidays` "
        "package, category 'school') are the school holidays of every year simulated; Besançon is in zone A.",
    )

    @model_validator(mode="after")
    def _one_school_calendar(self) -> Calendar:
        if self.school_holiday_zone is not None and self.school_holidays:
            raise ValueError("calendar: give either school_holiday_zone (the official calendar) or school_holidays "
                             "(dates by hand), not both")
        return self

    @field_validator("opening")
    @classmethod
    def _seven_days(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, days in value.items():
            if len(days) != 7:
                raise ValueError(f"opening '{name}' has {len(days)} entries; expected 7 (Mon..Sun)")
        return value


class HeatRecovery(Strict):
    effectiveness: Fraction = Field(description="Sensible effectiveness, EN 308 supply-side [-].")
    control: Literal["modulating", "constant", "when_heating"] = Field(
        default="modulating",
        description="'modulating': the bypass keeps the recovered supply at most at the supply setpoint; "
        "'constant': full effectiveness whenever the unit runs; 'when_heating': full effectiveness only in "
        "heating mode, judged like EnergyPlus' ideal loads from the state at the start of the step "
        "(twin.engine.Engine._heating_mode).",
    )
    frost_limit_exhaust_c: float = Field(ge=-20, le=10)
    bypass_for_free_cooling: bool = True


class Ahu(Strict):
    heat_recovery: HeatRecovery
    supply_setpoint_c: float = Field(ge=5, le=35)
    coil_max_kw: NonNegFloat
    sfp_kw_per_m3_s: PosFloat = Field(description="Specific fan power, supply + extract [kW/(m3/s)].")
    min_flow_fraction: Fraction = Field(description="Minimum flow while open, share of design [-].")
    night_flush_m3_h_m2: NonNegFloat = Field(description="Night ventilation rate when it cools [m3/(h m2)].")
    night_flush_zone_above_c: float = Field(ge=10, le=100, description="Night flush only above this zone "
                                            "temperature; 100 = never [°C].")
    free_cooling_zone_above_c: float = Field(
        ge=10, le=100,
        description="Above this extract temperature, with cooler outdoor air, bypass recovery and run at design flow [°C]."
    )


class Outage(Strict):
    start: dt.datetime
    duration_h: PosFloat


class HeatNetwork(Strict):
    subscribed_kw: PosFloat
    design_outdoor_c: float = Field(ge=-40, le=10)
    supply_temp_design_c: float = Field(ge=30, le=130)
    supply_temp_min_c: float = Field(ge=20, le=90)
    heating_limit_outdoor_c: float = Field(ge=5, le=25)
    distribution_loss_fraction: Annotated[float, Field(ge=0, lt=0.5)]
    water_temp_drop_k: float = Field(
        default=20.0, gt=0, le=40, description="Supply-return difference of the emitters at design (70/50: 20 K) [K]."
    )
    emitter_exponent: float = Field(
        default=1.3, ge=1.0, le=1.6, description="EN 442 emitter exponent n: radiators 1.3, underfloor ~1.1 [-]."
    )
    pump_kw: NonNegFloat
    outages: list[Outage] = []
    random_outages_per_year: NonNegFloat = 0.0
    random_outage_mean_h: PosFloat = 8.0
    resilience_threshold_c: float = Field(
        default=16.0, ge=0, le=30, description="Indoor temperature an outage is survived above [°C]."
    )

    @model_validator(mode="after")
    def _curve(self) -> HeatNetwork:
        if self.heating_limit_outdoor_c <= self.design_outdoor_c:
            raise ValueError(
                f"heat_network.heating_limit_outdoor_c = {self.heating_limit_outdoor_c} must be above "
                f"design_outdoor_c = {self.design_outdoor_c}"
            )
        if self.supply_temp_design_c < self.supply_temp_min_c:
            raise ValueError(
                f"heat_network.supply_temp_design_c = {self.supply_temp_design_c} must be at least "
                f"supply_temp_min_c = {self.supply_temp_min_c}"
            )
        return self


class PvArray(Strict):
    """One PV array, described with PVWatts-style parameters (NREL PVWatts v8 manual)."""

    name: Identifier
    peak_power_kwp: PosFloat = Field(description="DC nameplate power at STC [kWp].")
    surface_tilt_deg: float = Field(ge=0, le=90)
    surface_azimuth_deg: float = Field(ge=0, lt=360, description="Clockwise from north; 180 = south.")
    module_type: Literal["standard", "premium", "thin_film"] = "standard"
    mounting: Literal["open_rack", "roof_mount"] = "open_rack"
    system_losses_percent: float = Field(default=14.08, ge=0, lt=100, description="PVWatts total DC losses [%].")
    dc_ac_ratio: PosFloat = 1.2
    inverter_efficiency_percent: float = Field(default=96.0, gt=50, le=100)
    ground_coverage_ratio: Fraction = 0.4
    albedo: Fraction = 0.2
    transposition_model: Literal["isotropic", "haydavies", "perez"] = "perez"
    degradation_percent_per_year: float = Field(default=0.5, ge=0, le=5)
    commissioning_year: int = Field(default=2027, ge=1990, le=2100)


class Pv(Strict):
    arrays: list[PvArray]


class Irrigation(Strict):
    """Watering of green areas from FAO-56 reference evapotranspiration."""

    area_m2: NonNegFloat
    crop_coefficient: float = Field(ge=0, le=2, description="K_c of the planting (FAO-56 Table 12) [-].")
    effective_rain_fraction: Fraction = 0.8
    skip_if_rain_mm: NonNegFloat = Field(default=3.0, description="No watering on a day with this much rain [mm].")
    months: list[Annotated[int, Field(ge=1, le=12)]] = Field(
        default=[4, 5, 6, 7, 8, 9], description="Months in which the garden is watered."
    )


class Rainwater(Strict):
    """Roof catchment, tank and the uses it supplies."""

    roof_area_m2: NonNegFloat
    runoff_coefficient: Fraction
    filter_efficiency: Fraction = Field(default=0.9, description="Share of runoff passing filter and first flush [-].")
    first_flush_mm: NonNegFloat = Field(default=0.0, description="Extra diversion at the start of each rain event [mm].")
    tank_volume_m3: float = Field(ge=0, le=10_000, description="Tank volume; 10,000 m3 is a reservoir [m3].")
    dead_volume_m3: NonNegFloat = Field(default=0.0, description="Below the pump intake, never drawn [m3].")
    topup_below_m3: NonNegFloat | None = Field(default=None, description="Mains float valve opens below this level [m3].")
    topup_to_m3: NonNegFloat | None = Field(default=None, description="... and refills the tank to this level [m3].")
    pump_kwh_per_m3: NonNegFloat = 0.5
    rule: Literal["YAS", "YBS"] = "YAS"
    supplies: list[Literal["wc", "urinal", "irrigation", "cleaning"]] = ["wc", "urinal", "irrigation"]
    irrigation: Irrigation | None = None

    @model_validator(mode="after")
    def _levels(self) -> Rainwater:
        if self.dead_volume_m3 > self.tank_volume_m3:
            raise ValueError(
                f"rainwater.dead_volume_m3 = {self.dead_volume_m3} exceeds tank_volume_m3 = {self.tank_volume_m3}"
            )
        if (self.topup_below_m3 is None) != (self.topup_to_m3 is None):
            raise ValueError("rainwater.topup_below_m3 and topup_to_m3 go together: give both or neither")
        if self.topup_below_m3 is not None and not (
            self.dead_volume_m3 <= self.topup_below_m3 < self.topup_to_m3 <= self.tank_volume_m3
        ):
            raise ValueError(
                f"rainwater top-up levels must satisfy dead_volume_m3 <= topup_below_m3 < topup_to_m3 <= "
                f"tank_volume_m3; got {self.dead_volume_m3}, {self.topup_below_m3}, {self.topup_to_m3}, "
                f"{self.tank_volume_m3}"
            )
        return self


class WaterUses(Strict):
    """Volumes of each water use; counts come from occupancy."""

    wc_full_flush_l: PosFloat = 6.0
    wc_half_flush_l: PosFloat = 3.0
    wc_half_flush_share: Fraction = 0.5
    urinal_flush_l: NonNegFloat = 0.5
    washbasin_l_per_use: NonNegFloat = 1.0
    kitchenette_l_per_use: NonNegFloat = 1.5
    cleaning_l_per_m2_day: NonNegFloat = Field(default=0.1, description="Floor cleaning on open days [L/(m2 day)].")
    cleaning_hour: int = Field(default=20, ge=0, le=23, description="Civil hour when cleaning water is drawn.")
    irrigation_hour: int = Field(default=6, ge=0, le=23, description="Civil hour when the garden is watered.")


class EvCharging(Strict):
    points: Annotated[int, Field(ge=0)]
    power_kw: PosFloat
    strategy: Literal["immediate", "pv_following", "tariff_aware"] = "immediate"
    off_peak_hours: list[HHMMRange] = Field(
        default=["12:00-15:00"],
        description="Civil-time off-peak windows for 'tariff_aware' charging (HC hours set by Enedis; since "
        "Nov 2025 up to 3 h may fall between 11:00 and 17:00).",
    )
    wait_if_busy: bool = Field(default=False, description="A car finding every point busy waits for one (else it leaves).")


class Battery(Strict):
    capacity_kwh: PosFloat
    power_kw: PosFloat
    round_trip_efficiency: float = Field(default=0.9, gt=0, le=1)
    soc_min: Fraction = 0.1
    soc_max: Fraction = 0.95
    soc_initial: Fraction = 0.5

    @model_validator(mode="after")
    def _soc(self) -> Battery:
        if not self.soc_min <= self.soc_initial <= self.soc_max:
            raise ValueError(
                f"battery state of charge must satisfy soc_min <= soc_initial <= soc_max; got "
                f"{self.soc_min}, {self.soc_initial}, {self.soc_max}"
            )
        return self


class ElectricalLoads(Strict):
    servers_base_kw: NonNegFloat
    lifts_kwh_per_day: NonNegFloat
    subscribed_kva: PosFloat | None = Field(default=None, description="Contracted power; steps above it are counted.")
    power_factor: float = Field(default=0.95, gt=0, le=1)


class Model(Strict):
    """A building: its zones, envelope, calendar and systems."""

    building: Building
    envelope: Envelope
    calendar: Calendar
    occupancy_model: Literal["discrete_events", "schedule"] = Field(
        default="discrete_events",
        description="'discrete_events': people simulated in simpy from [occupancy] populations; "
        "'schedule': expected occupants = capacity x profile (fast, no individual events).",
    )
    occupancy: OccupancySpec | None = None
    profiles: dict[Identifier, Profile] = {}
    zones: list[Zone] = Field(min_length=1)
    materials: dict[Identifier, Material] = Field(
        default={}, description="Materials added to (or replacing) the shipped library twin/data/materials.toml."
    )
    constructions: dict[Identifier, Construction] = Field(description="Named constructions, layers outside to inside.")
    zone_links: list[ZoneLink] = Field(default=[], description="Heat exchange between zones; none = adiabatic.")
    outdoor_co2_ppm: PosFloat = Field(default=420.0, description="CO2 concentration of outdoor air [ppm].")
    ahu: Ahu
    heat_network: HeatNetwork
    pv: Pv | None = None
    rainwater: Rainwater | None = None
    water_uses: WaterUses | None = None
    ev_charging: EvCharging | None = None
    battery: Battery | None = None
    electrical_loads: ElectricalLoads | None = None

    def all_materials(self) -> dict[str, Material]:
        """The shipped material library with this model's [materials] added (a model entry wins)."""
        return {**material_library(), **self.materials}

    def layers(self, construction: str) -> tuple[Layer, ...]:
        """Physical layers of a named construction, outside to inside."""
        materials = self.all_materials()
        out = []
        for layer in self.constructions[construction].layers:
            m = materials[layer.material]
            out.append(Layer(layer.thickness_m, m.conductivity_w_mk, m.density_kg_m3, m.specific_heat_j_kgk))
        return tuple(out)

    def zone_construction(self, zone: Zone, kind: str) -> str:
        """Name of the construction of element ``kind`` (external_wall, roof, ...) in ``zone``."""
        return getattr(zone.constructions, kind) or getattr(self.envelope.constructions, kind)

    @model_validator(mode="after")
    def _consistent(self) -> Model:
        names = [z.name for z in self.zones]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"zone names must be unique; repeated: {', '.join(dupes)}")
        total = sum(z.floor_area_m2 for z in self.zones)
        declared = self.building.total_floor_area_m2
        if abs(total - declared) > 1e-6 * declared:
            raise ValueError(
                f"zone floor areas add up to {total:g} m2; expected building.total_floor_area_m2 = {declared:g}"
            )
        env = self.envelope
        if env.ground_model == "b_factor" and env.ground_temperature_factor is None:
            raise ValueError("envelope.ground_model = 'b_factor' needs envelope.ground_temperature_factor")
        if env.ground_model == "b_factor" and env.ground_edge_psi_w_mk != 0.0:
            raise ValueError("envelope.ground_edge_psi_w_mk is used only with ground_model = 'iso13370' (ISO 13370's "
                             "H_g = A U + P psi_g); remove it or set ground_model = 'iso13370'")
        if env.ground_model == "iso13370" and env.ground_temperature_factor is not None:
            raise ValueError("envelope.ground_temperature_factor is used only with ground_model = 'b_factor'; "
                             "remove it or set ground_model = 'b_factor'")
        materials = self.all_materials()
        for cname, construction in self.constructions.items():
            for layer in construction.layers:
                if layer.material not in materials:
                    raise ValueError(f"constructions.{cname}: material '{layer.material}' is not defined; expected one "
                                     f"of [materials] or the library: {', '.join(sorted(materials))}")
        used = {f"envelope.constructions.{k}": v for k, v in env.constructions.model_dump().items()}
        for z in self.zones:
            used.update({f"zones.{z.name}.constructions.{k}": v for k, v in z.constructions.model_dump().items() if v})
        used.update({f"zone_links[{k}].construction": link.construction for k, link in enumerate(self.zone_links)
                     if link.construction})
        for where, cname in used.items():
            if cname not in self.constructions:
                raise ValueError(f"{where} = '{cname}' is not a construction; expected one of {sorted(self.constructions)}")
        from twin.physics import constructions as cons

        r_films = cons.r_si_m2k_w("wall") + cons.r_se_m2k_w()
        if 1.0 / env.window_u_w_m2k <= r_films:
            raise ValueError(f"envelope.window_u_w_m2k = {env.window_u_w_m2k:g} leaves no glazing beside the surface "
                             f"films (R_si + R_se = {r_films:.3f} m2 K/W): expected below {1.0 / r_films:.2f} W/(m2 K)")
        for z in self.zones:
            if z.ground_floor_exposed_perimeter_m is not None and z.ground_floor_area_m2 <= 0.0:
                raise ValueError(f"zone {z.name}: ground_floor_exposed_perimeter_m given without ground_floor_area_m2")
            if z.heating.start_control == "optimum" and z.heating.preheat_h <= 0.0:
                raise ValueError(f"zone {z.name}: heating.start_control = 'optimum' needs heating.preheat_h > 0 "
                                 "(the longest lead allowed)")
        if (env.ground_model == "iso13370" and sum(z.ground_floor_area_m2 for z in self.zones) > 0.0
                and sum(z.exposed_perimeter_m() for z in self.zones) <= 0.0):
            raise ValueError("the slab on ground has no exposed perimeter (ground_floor_exposed_perimeter_m all 0): "
                             "ISO 13370 needs one, expected > 0 m")
        for k, period in enumerate(self.calendar.summer_closure):
            for zone in period.except_zones:
                if zone not in names:
                    raise ValueError(f"calendar.summer_closure[{k}].except_zones: '{zone}' is not a zone; "
                                     f"expected one of {names}")
        for link in self.zone_links:
            for zone in link.zones:
                if zone not in names:
                    raise ValueError(f"zone_links: '{zone}' is not a zone; expected one of {names}")
            if link.zones[0] == link.zones[1]:
                raise ValueError(f"zone_links: a zone cannot be linked to itself ('{link.zones[0]}')")
        if self.occupancy_model == "discrete_events":
            if self.occupancy is None:
                raise ValueError("occupancy_model = 'discrete_events' needs an [occupancy] section with populations")
            for pop_name, pop in self.occupancy.populations.items():
                if pop.zone not in names:
                    raise ValueError(
                        f"occupancy.populations.{pop_name}.zone '{pop.zone}' is not a zone; expected one of {names}"
                    )
                access = getattr(pop, "access", None)
                if access is not None and access not in self.calendar.opening:
                    raise ValueError(
                        f"occupancy.populations.{pop_name}.access '{access}' is not a calendar.opening; "
                        f"expected one of {sorted(self.calendar.opening)}"
                    )
        for z in self.zones:
            if self.occupancy_model == "schedule" and z.occupancy.profile not in self.profiles:
                raise ValueError(
                    f"zone {z.name}: occupancy.profile '{z.occupancy.profile}' is not defined; "
                    f"expected one of {sorted(self.profiles)} (occupancy_model = 'schedule')"
                )
            if z.occupancy.opening not in self.calendar.opening:
                raise ValueError(
                    f"zone {z.name}: occupancy.opening '{z.occupancy.opening}' is not defined; "
                    f"expected one of {sorted(self.calendar.opening)}"
                )
        return self


# ------------------------------------------------------------------------ scenario


YEARS = (1900, 2200)
"""Calendar years a period may use: holidays and weather are defined there, not in year 1 or 9999."""

MAX_YEARS = 10
"""Longest simulated period: hours of memory and minutes of run time per year simulated."""


class SimPeriod(Strict):
    start: dt.date = Field(description="First day, 00:00 local standard time.")
    end: dt.date = Field(description="Day after the last simulated day (exclusive).")
    step_s: int = Field(default=900, ge=60, le=3600, description="Fixed step; must divide 3600 [s].")
    warmup_days: int = Field(
        default=14, ge=0, le=60, description="Days BEFORE start simulated unrecorded to settle the thermal mass."
    )

    @field_validator("step_s")
    @classmethod
    def _divides_hour(cls, value: int) -> int:
        if 3600 % value:
            raise ValueError(f"step_s = {value} does not divide 3600 s; use e.g. 300, 600, 900, 1800, 3600")
        return value

    @model_validator(mode="after")
    def _ordered(self) -> SimPeriod:
        for name in ("start", "end"):
            day = getattr(self, name)
            if not YEARS[0] <= day.year <= YEARS[1]:
                raise ValueError(f"period.{name} = {day}: expected a year from {YEARS[0]} to {YEARS[1]}")
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        if (self.end - self.start).days > 366 * MAX_YEARS:
            raise ValueError(f"period {self.start} to {self.end} spans more than {MAX_YEARS} years; expected "
                             f"at most {MAX_YEARS} (run longer horizons with finance.horizon_years)")
        return self


class Heatwave(Strict):
    """A heatwave inserted in the weather (twin.climate.insert_heatwave, the 2003-like Besançon sequence)."""

    start: str = Field(pattern=r"^\d{2}-\d{2}$", description="First day of the heatwave, 'MM-DD' of the period's first year.")
    peak_c: float | None = Field(
        default=None, ge=25, le=55,
        description="Highest daily maximum of the sequence [°C]; default 38.3 °C (12 Aug 2003) plus the August "
        "warming of weather.climate.",
    )


class WeatherSpec(Strict):
    source: str = Field(
        default="besancon-reference",
        description="'besancon-reference' (embedded generator), or a path to .epw, pvgis:FILE, or .csv.",
    )
    seed: int | None = Field(default=None, ge=0, description="Weather seed; default: the scenario seed.")
    climate: str | None = Field(
        default=None,
        description="Warming level the weather is morphed to: null or 'today' (as loaded), 'tracc-2030', "
        "'tracc-2050', 'tracc-2100' (TRACC, shift-and-stretch; docs/weather.md).",
    )
    heatwave: Heatwave | None = Field(default=None, description="A heatwave inserted after the climate morphing.")

    @field_validator("climate")
    @classmethod
    def _known_climate(cls, v: str | None) -> str | None:
        if v is not None and v not in CLIMATE_LEVELS:
            raise ValueError(f"climate is {v!r}; expected one of {', '.join(CLIMATE_LEVELS)} or null")
        return v


class Tariffs(Strict):
    district_heat: DistrictHeatTariff
    electricity: ElectricityTariff
    pv_export_eur_kwh: NonNegFloat
    water_eur_m3: NonNegFloat
    water_fixed_eur_year: NonNegFloat = Field(
        default=25.0, description="Fixed water and sanitation charges [EUR/yr]: GBM 15 + 10 EUR HT (DF §5)."
    )
    ev_charging_eur_kwh: NonNegFloat | None = Field(
        default=None, description="Price billed to EV users per kWh delivered [EUR/kWh]; None = free charging."
    )


class Renewal(Strict):
    """A large replacement (P3) the user adds: its cost and how often it recurs."""

    cost_eur: NonNegFloat = Field(description="Replacement cost excl. VAT [EUR].")
    every_years: PosFloat = Field(description="Years between replacements [yr].")


class OperatingCosts(Strict):
    """Running costs besides energy and water, excl. VAT (docs/economics.md §6). All [E] unless the user sets them.

    P2 upkeep and P3 renewals (annualised as cost / interval) are rates applied to the systems of
    the model (PV kWp and kWac, EV points, battery kWh; rainwater only when there is a tank), so an
    option that adds equipment pays its upkeep. Insurance, cleaning and staff are the user's inputs,
    shown but kept out of savings. Scalar fields, so one ``--set`` changes one rate.
    """

    substation_eur_year: NonNegFloat = Field(default=1000.0, description="P2 district-heat substation [EUR/yr]. [E]")
    ahu_eur_year: NonNegFloat = Field(default=2500.0, description="P2 air-handling unit [EUR/yr]. [E]")
    pv_eur_kwp_year: NonNegFloat = Field(default=15.0, description="P2 PV per kWp [EUR/(kWp yr)]. [E]")
    rainwater_eur_year: NonNegFloat = Field(default=400.0, description="P2 rainwater system [EUR/yr]. [E]")
    ev_eur_point_year: NonNegFloat = Field(default=250.0, description="P2 per EV charge point [EUR/yr]. [E]")
    battery_eur_kwh_year: NonNegFloat = Field(default=5.0, description="P2 battery per kWh [EUR/(kWh yr)]. [E]")
    other_maintenance_eur_year: dict[str, NonNegFloat] = Field(default={}, description="Further P2 lines [EUR/yr].")
    pv_inverter_eur_kwac: NonNegFloat = Field(default=100.0, description="P3 inverter replacement per kWac [EUR]. [E]")
    pv_inverter_life_years: PosFloat = Field(default=13.0, description="Years between inverter replacements. [E]")
    ahu_fans_eur: NonNegFloat = Field(default=5000.0, description="P3 AHU fans replacement [EUR]. [E]")
    ahu_fans_life_years: PosFloat = Field(default=15.0, description="[yr] [E]")
    pumps_eur: NonNegFloat = Field(default=2000.0, description="P3 heating pumps replacement [EUR]. [E]")
    pumps_life_years: PosFloat = Field(default=12.0, description="[yr] [E]")
    ev_charger_eur_point: NonNegFloat = Field(default=1200.0, description="P3 charger replacement per point [EUR]. [E]")
    ev_charger_life_years: PosFloat = Field(default=10.0, description="[yr] [E]")
    rainwater_pump_eur: NonNegFloat = Field(default=1200.0, description="P3 rainwater pump replacement [EUR]. [E]")
    rainwater_pump_life_years: PosFloat = Field(default=12.0, description="[yr] [E]")
    other_renewals: dict[str, Renewal] = Field(
        default={}, description="Further P3 lines. A battery's replacement belongs to the option's "
        "[investment].replacement_costs, not here.")
    insurance_eur_year: NonNegFloat = Field(default=0.0, description="User input; not part of savings.")
    cleaning_eur_year: NonNegFloat = Field(default=0.0, description="User input; not part of savings.")
    staff_eur_year: NonNegFloat = Field(default=0.0, description="User input; not part of savings.")


class Finance(Strict):
    """Life-cycle parameters of a design option against its baseline."""

    discount_rate: float = Field(default=0.04, ge=-0.5, le=1, description="Real discount rate [-]. [E]")
    horizon_years: int = Field(default=20, ge=1, le=60, description="Years of operation counted [-].")
    escalation: dict[Literal["heat", "electricity", "water", "pv_revenue"], float] = Field(
        default={}, description="Yearly real price escalation by item [-]; absent items do not escalate."
    )
    operating: OperatingCosts = OperatingCosts()


class Investment(Strict):
    """What a design option costs over the baseline."""

    capex_eur: NonNegFloat = Field(description="Extra investment of the option, excl. VAT [EUR].")
    replacement_costs: dict[int, NonNegFloat] = Field(
        default={}, description="Replacement cost by year of operation, e.g. an inverter or battery [EUR]."
    )
    residual_value_eur: NonNegFloat = 0.0


class PrimaryEnergyFactors(Strict):
    """Final-to-primary energy conversion [-] (French conventions, DF §7 gap 8)."""

    electricity: PosFloat = Field(default=2.3, description="RE2020 keeps 2.3; the DPE uses 1.9 from 2026 [V].")
    district_heat: PosFloat = Field(default=1.0, description="Non-electric energies count 1.0 in the French methods [E].")


class EmissionFactors(Strict):
    district_heat_kg_kwh: NonNegFloat
    electricity_kg_kwh: NonNegFloat


class Scenario(Strict):
    """A yearly run: which model, weather, period, seed, tariffs and overrides."""

    name: Identifier | Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    description: str = ""
    model: Path
    seed: int = Field(ge=0)
    period: SimPeriod
    weather: WeatherSpec = WeatherSpec()
    tariffs: Tariffs
    emission_factors: EmissionFactors
    finance: Finance = Finance()
    primary_energy_factors: PrimaryEnergyFactors = PrimaryEnergyFactors()
    investment: Investment | None = Field(default=None, description="Extra CAPEX of a design option.")
    overrides: dict[str, Any] = {}
    # Filled by the loader, not by the file:
    source_file: Path | None = None
    asset: Model | None = None
    applied_overrides: dict[str, Any] = {}  # the keyword overrides of load_scenario (`--set`), for summary.json


# ------------------------------------------------------------------------- loading

_LOADER_FIELDS = {"source_file", "asset", "applied_overrides"}
SCENARIO_KEYS = set(Scenario.model_fields) - _LOADER_FIELDS
"""Top-level keys of a scenario (the rest of a dotted override path goes to its model)."""



MAX_INHERITS = 50
"""Longest chain of ``inherits``: design options stack a few levels, never dozens."""




def _read_toml(path: Path, what: str) -> dict[str, Any]:
    if not path.is_file():
        raise ScenarioError(f"{path}: {what} file not found")
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"{path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path}: not UTF-8 text; expected a TOML file") from None
    except RecursionError:
        raise ScenarioError(f"{path}: tables or arrays nested too deep to read; expected at most "
                            f"{MAX_DEPTH} levels") from None
    if depth(data) > MAX_DEPTH:
        raise ScenarioError(f"{path}: tables or arrays nested more than {MAX_DEPTH} levels deep; "
                            f"expected a {what} file (see `twin schema`)")
    return data


def _fmt_loc(loc: tuple[Any, ...], data: Any) -> str:
    """Turn a pydantic error location into a dotted path; list items of named tables by name."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(node, dict) and item not in node and node.get("kind") == item:
            continue  # pydantic's tag of a discriminated union (occupancy populations), not a key of the file
        if isinstance(item, int) and isinstance(node, list) and item < len(node):
            entry = node[item]
            label = entry.get("name") if isinstance(entry, dict) else None
            parts.append(str(label) if label else f"[{item}]")
            node = entry
            continue
        parts.append(str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return ".".join(parts).replace(".[", "[")


def _error_text(err: Any, data: Any) -> str:
    """One pydantic error as 'field 'a.b' = value: what is expected'."""
    loc = _fmt_loc(tuple(err["loc"]), data)
    kind = err["type"]
    if kind == "extra_forbidden":
        return f"unknown key '{loc}'; check its spelling (see `twin schema`)"
    if kind == "missing":
        return f"missing required field '{loc}'"
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "finite_number":
        msg = "expected a finite number, not NaN or infinity"
    value = err.get("input")
    shown = "" if isinstance(value, dict | list) or value is None else f" = {value!r}"
    return f"field '{loc}'{shown}: {msg}" if loc else msg


def _validation_message(path: Path, exc: ValidationError, data: Any) -> str:
    """Every error of ``exc`` on one line, joined by ' | ': the user fixes them all in one pass."""
    texts = list(dict.fromkeys(_error_text(err, data) for err in exc.errors()))
    return f"{path}: " + " | ".join(texts)


def _parse_override_path(path_str: str) -> list[str]:
    if not re.fullmatch(r"[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*", path_str):
        raise ValueError(f"'{path_str}' is not a dotted path like ahu.heat_recovery.effectiveness")
    return path_str.split(".")


def _unwrap(annotation: Any) -> Any:
    """The model class or container type behind Optional[...] / Annotated[...] annotations."""
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(args[0]) if len(args) == 1 else annotation
    return annotation


def _schema_field(schema: Any, keys: list[str]) -> bool:
    """Whether ``keys`` names a field of ``schema`` (a pydantic model), walking nested models,
    named lists and dicts: lets an override add an optional section the file left out."""
    node = schema
    for key in keys:
        node = _unwrap(node)
        origin = typing.get_origin(node)
        if origin in (list, dict):
            node = typing.get_args(node)[-1]  # entries of a named list / values of a dict
            continue
        if not (isinstance(node, type) and issubclass(node, BaseModel)) or key not in node.model_fields:
            return False
        node = node.model_fields[key].annotation
    return True


def _schema_keys(schema: Any, keys: list[str]) -> list[str]:
    """Field names the schema declares at ``keys`` (empty when unknown)."""
    if schema is None or not _schema_field(schema, keys):
        return []
    node = schema
    for key in keys:
        node = _unwrap(node)
        node = typing.get_args(node)[-1] if typing.get_origin(node) in (list, dict) else node.model_fields[key].annotation
    node = _unwrap(node)
    return list(node.model_fields) if isinstance(node, type) and issubclass(node, BaseModel) else []


def apply_override(data: dict[str, Any], path_str: str, value: Any, schema: Any = None) -> None:
    """Set ``value`` at the dotted ``path_str`` in the raw ``data`` tree, in place.

    Lists of tables that carry a ``name`` (zones, PV arrays) are addressed by
    that name: ``zones.fablab.floor_area_m2``. The path must exist, or be a field
    that ``schema`` (a pydantic model class) declares, e.g. an optional
    ``battery`` section the model file left out: a typo is an error listing the
    keys available at that level, never a silent new key.

    Raises
    ------
    KeyError
        With a one-line message naming the path and the valid keys.
    """
    keys = _parse_override_path(path_str)
    node: Any = data
    for level, key in enumerate(keys):
        last = level == len(keys) - 1
        here = ".".join(keys[:level]) or "(top level)"
        if isinstance(node, dict) and key not in node and schema is not None and _schema_field(schema, keys[: level + 1]):
            node[key] = value if last else {}
            if last:
                return
            node = node[key]
            continue
        if isinstance(node, list):
            # Named tables (zones, PV arrays) by their name; construction layers by name or material.
            named = {item.get("name") or item.get("material"): item for item in node if isinstance(item, dict)}
            if key not in named:
                raise KeyError(f"'{path_str}': no entry named '{key}' in {here}; expected one of {sorted(named)}")
            if last:
                raise KeyError(f"'{path_str}': cannot replace a whole entry of {here}; set one of its fields")
            node = named[key]
        elif isinstance(node, dict):
            if key not in node:
                valid = sorted(set(node) | set(_schema_keys(schema, keys[:level])))
                raise KeyError(f"'{path_str}': no key '{key}' in {here}; expected one of {valid}")
            if last:
                node[key] = value
            else:
                node = node[key]
        else:
            raise KeyError(f"'{path_str}': '{keys[depth - 1]}' is a value, not a table")


def _deep_merge(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "overrides":
            out[key] = _deep_merge(out[key], value)
        elif key == "overrides":
            out[key] = {**out.get(key, {}), **value}
        else:
            out[key] = copy.deepcopy(value)
    return out


def resolve_scenario_dict(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """Read a scenario file and merge it onto the scenario it inherits, recursively."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise ScenarioError(f"{path}: field 'inherits' makes a loop: {chain}")
    if len(seen) >= MAX_INHERITS:
        raise ScenarioError(f"{seen[0]}: field 'inherits' chains more than {MAX_INHERITS} files "
                            f"(reached {path}); expected at most {MAX_INHERITS}")
    raw = _read_toml(path, "scenario")
    parent_ref = raw.pop("inherits", None)
    # Relative paths in a file are relative to that file, whichever file inherits it.
    if "model" in raw:
        if not isinstance(raw["model"], str):
            raise ScenarioError(f"{path}: field 'model' = {raw['model']!r}: expected a path string")
        raw["model"] = str((path.parent / raw["model"]).resolve())
    weather = raw.get("weather")
    if isinstance(weather, dict) and isinstance(weather.get("source"), str):
        weather["source"] = _resolve_weather_source(weather["source"], path.parent)
    if parent_ref is None:
        return raw
    if not isinstance(parent_ref, str):
        raise ScenarioError(f"{path}: field 'inherits' = {parent_ref!r}: expected a path string")
    parent_path = (path.parent / parent_ref).resolve()
    if not parent_path.is_file():
        raise ScenarioError(f"{path}: field 'inherits' = '{parent_ref}': file not found ({parent_path})")
    parent = resolve_scenario_dict(parent_path, (*seen, path))
    return _deep_merge(parent, raw)


def _resolve_weather_source(source: str, base: Path) -> str:
    if source == "besancon-reference":
        return source
    prefix, _, rest = source.rpartition(":") if source.startswith("pvgis:") else ("", "", source)
    resolved = str((base / rest).resolve())
    return f"{prefix}:{resolved}" if prefix else resolved




def load_model_file(path: str | Path, overrides: dict[str, Any] | None = None) -> Model:
    """Load and validate a model file, after applying dotted ``overrides``.

    Raises
    ------
    ScenarioError
        One line naming the file, the field, the value and the expectation.
    """
    path = Path(path)
    data = _read_toml(path, "model")
    for key, value in (overrides or {}).items():
        try:
            apply_override(data, key, value, schema=Model)
        except (KeyError, ValueError) as exc:
            raise ScenarioError(f"{path}: override {exc.args[0]}") from None
    try:
        return Model.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_validation_message(path, exc, data)) from None


def load_scenario(path: str | Path, **overrides: Any) -> Scenario:
    """Load a scenario file, the scenarios it inherits and its model.

    Parameters
    ----------
    path
        A scenario TOML file.
    **overrides
        Extra overrides applied last, by dotted path. Python names cannot hold
        dots, so ``ahu__heat_recovery__effectiveness=0.9`` and
        ``**{"ahu.heat_recovery.effectiveness": 0.9}`` are the same. A path whose
        first part is a scenario field (``seed``, ``period``, ``weather``,
        ``tariffs``, ...) changes the scenario; any other path changes the model.

    Returns
    -------
    Scenario
        Validated, with ``asset`` holding the validated model.

    Raises
    ------
    ScenarioError
        One line naming the file, the field, the value and the expectation.
    """
    path = Path(path)
    data = resolve_scenario_dict(path)
    extra = {key.replace("__", "."): value for key, value in overrides.items()}
    model_overrides: dict[str, Any] = {}
    raw_overrides = data.get("overrides", {})
    if not isinstance(raw_overrides, dict):
        raise ScenarioError(f"{path}: field 'overrides' must be a table of dotted paths")
    try:
        flat_overrides = flatten(raw_overrides)
    except ValueError as exc:
        raise ScenarioError(f"{path}: field 'overrides': {exc}") from None
    for key, value in {**flat_overrides, **extra}.items():
        head = key.split(".", 1)[0]
        if head in SCENARIO_KEYS:
            try:
                apply_override(data, key, value, schema=Scenario)
            except (KeyError, ValueError) as exc:
                raise ScenarioError(f"{path}: override {exc.args[0]}") from None
        else:
            model_overrides[key] = value
    data["overrides"] = model_overrides
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_validation_message(path, exc, data)) from None
    try:
        model = load_model_file(scenario.model, model_overrides)
    except ScenarioError as exc:
        if not model_overrides:
            raise
        raise ScenarioError(f"{exc} (after the overrides of {path.name}: {', '.join(model_overrides)})") from None
    applied = json.loads(json.dumps(extra, default=_json_value))  # as summary.json will hold them
    return scenario.model_copy(update={"source_file": path.resolve(), "asset": model, "applied_overrides": applied})


def _json_value(value: Any) -> Any:
    """JSON form of an override value json cannot write: dates as ISO text, numpy scalars as numbers."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return str(value)




def check_file(path: str | Path) -> str:
    """Validate a model or scenario file; return a one-line description of what it is.

    The kind is read from the file itself: a scenario has a ``model`` key or
    ``inherits`` another scenario; a model has ``zones``.

    Raises
    ------
    ScenarioError
        On the first problem found, in one line.
    """
    path = Path(path)
    raw = _read_toml(path, "model or scenario")
    if "zones" in raw or "building" in raw:
        model = load_model_file(path)
        area = sum(z.floor_area_m2 for z in model.zones)
        return f"{path}: valid model '{model.building.name}', {len(model.zones)} zones, {area:,.0f} m2"
    if "model" in raw or "inherits" in raw:
        scenario = load_scenario(path)
        return (
            f"{path}: valid scenario '{scenario.name}' ({scenario.period.start} to {scenario.period.end}, "
            f"step {scenario.period.step_s} s, seed {scenario.seed}, {len(scenario.overrides)} model overrides)"
        )
    raise ScenarioError(
        f"{path}: neither a model (expected a 'zones' table) nor a scenario (expected a 'model' or 'inherits' key)"
    )


def json_schemas() -> dict[str, str]:
    """JSON Schemas of both file kinds, as text, keyed by file name.

    ``scenario.schema.json`` accepts both kinds of scenario file: one that ``inherits`` another (a
    design option, a validation case) only overrides its parent, so its keys are checked and none
    is required; a file without ``inherits`` must be complete. TOML dates are strings
    (``format: date``) in these schemas, as TOML-aware editors expect. Sweep files have their own
    schema, :func:`twin.config.sweep.sweep_json_schema`.
    """
    full = Scenario.model_json_schema()
    for key in _LOADER_FIELDS:
        full["properties"].pop(key, None)
    full["properties"]["inherits"] = {"type": "string", "description": "Parent scenario file."}
    defs = full.pop("$defs", {})
    # The root is the partial schema (every key optional); a file that inherits nothing must also
    # match the full one. Partial definitions are copies of the full ones under a prefix.
    scenario_schema = _partial_schema(copy.deepcopy(full))
    scenario_schema["$defs"] = {**defs, "ScenarioComplete": full,
                                **{f"Partial{name}": _partial_schema(copy.deepcopy(d)) for name, d in defs.items()}}
    scenario_schema["if"] = {"required": ["inherits"]}
    scenario_schema["else"] = {"$ref": "#/$defs/ScenarioComplete"}
    from twin.config.sweep import sweep_json_schema  # the sweep file format, light to import

    return {
        "model.schema.json": json.dumps(Model.model_json_schema(), indent=2),
        "scenario.schema.json": json.dumps(scenario_schema, indent=2, default=str),
        "sweep.schema.json": json.dumps(sweep_json_schema(), indent=2, default=str),
    }


def _partial_schema(node: Any) -> Any:
    """``node`` with every ``required`` list dropped and references pointed at the partial $defs."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "required" and isinstance(value, list):
                continue  # the keyword, not a field that happens to be called "required"
            if key == "$ref" and isinstance(value, str) and value.startswith("#/$defs/"):
                value = "#/$defs/Partial" + value.removeprefix("#/$defs/")
            out[key] = _partial_schema(value)
        return out
    if isinstance(node, list):
        return [_partial_schema(v) for v in node]
    return node
