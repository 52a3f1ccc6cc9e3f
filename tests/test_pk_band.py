"""pk.population_band: percentiles of the illustrative level across seeded virtual patients."""

import numpy as np
import pytest

from clonaedu import data, pk, regimens
from clonaedu.regimens import Regimen

T_SINGLE = np.linspace(0, 96, 400)
BID = regimens.example("bid_0_5mg", days=8)
T_BID = np.linspace(0, 7 * 24, 500)


def test_varied_ranges_come_from_cited_rows_of_the_data():
    band = pk.population_band(Regimen.single(1.0), T_SINGLE)
    table = data.table("pk_ranges").set_index("quantity")
    assert dict(band.varied) == {
        "terminal_half_life": (19.0, 60.0),
        "volume_of_distribution_per_kg": (1.5, 4.4),
    }
    assert (table.loc[list(band.varied), "status"] == "cited").all()
    assert table.loc["absorption_half_life", "status"] == "illustrative"  # hence not varied


@pytest.mark.parametrize("regimen, t", [(Regimen.single(1.0), T_SINGLE), (BID, T_BID)])
def test_median_is_near_the_typical_curve_and_the_band_holds_it(regimen, t):
    band = pk.population_band(regimen, t)
    typical = pk.concentration(regimen, t)
    assert np.abs(band.median - typical).max() < 0.05 * typical.max()
    assert (band.low <= band.median + 1e-12).all() and (band.median <= band.high + 1e-12).all()
    later = t > regimen.times_h[0] + 2
    assert ((band.low[later] < typical[later]) & (typical[later] < band.high[later])).all()


@pytest.mark.parametrize("volume", ["varied", "fixed"])
def test_band_widens_as_the_half_life_range_widens(volume):
    widths = []
    for low, high in [(34, 40), (30, 45), (19, 60)]:
        ranges = {"terminal_half_life": (low, high)}
        if volume == "fixed":
            ranges["volume_of_distribution_per_kg"] = None
        band = pk.population_band(Regimen.single(1.0), T_SINGLE, ranges=ranges)
        widths.append(float((band.high - band.low)[T_SINGLE > 24].mean()))
    assert widths[0] < widths[1] < widths[2]
    if volume == "fixed":
        assert widths[2] > 3 * widths[0]


def test_fixing_every_quantity_gives_the_typical_curve():
    band = pk.population_band(BID, T_BID, ranges={"terminal_half_life": None, "volume_of_distribution_per_kg": None})
    assert np.allclose(band.low, pk.concentration(BID, T_BID), rtol=1e-9, atol=1e-12)
    assert np.allclose(band.high, band.low)


def test_half_life_spread_widens_the_tail_more_than_the_peak():
    only_half_life = pk.population_band(Regimen.single(1.0), T_SINGLE, ranges={"volume_of_distribution_per_kg": None})
    ratio = only_half_life.high / np.maximum(only_half_life.low, 1e-12)
    assert ratio[-1] > 2 * ratio[np.argmax(only_half_life.median)]


def test_seeded_determinism():
    a = pk.population_band(BID, T_BID, seed=7)
    b = pk.population_band(BID, T_BID, seed=7)
    c = pk.population_band(BID, T_BID, seed=8)
    assert np.array_equal(a.conc_ng_ml, b.conc_ng_ml)
    assert not np.array_equal(a.conc_ng_ml, c.conc_ng_ml)
    assert (a.n, a.seed) == (200, 7)


def test_linear_in_dose():
    one = pk.population_band(Regimen.single(1.0), T_SINGLE)
    two = pk.population_band(Regimen.single(2.0), T_SINGLE)
    assert np.allclose(two.conc_ng_ml, one.scaled(2).conc_ng_ml)


def test_percentiles_and_shape():
    t = np.linspace(0, 48, 60).reshape(6, 10)
    band = pk.population_band(Regimen.single(1.0), t, percentiles=(10, 50, 90))
    assert band.conc_ng_ml.shape == (3, 6, 10)
    assert band.percentiles == (10.0, 50.0, 90.0)
    assert np.array_equal(band.at(90), band.high)
    with pytest.raises(ValueError, match="percentile 95 was not computed"):
        band.at(95)
    assert (pk.population_band(Regimen.single(1.0), [0.0]).conc_ng_ml == 0).all()


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 5}, "n must be a whole number of virtual patients from 20 to 5000"),
    ({"n": 10**6}, "n must be"),
    ({"n": 200.0}, "n must be"),
    ({"n": True}, "n must be"),
    ({"seed": -1}, "seed must be a whole number >= 0"),
    ({"seed": 1.5}, "seed must be"),
    ({"seed": "0"}, "seed must be"),
    ({"seed": None}, "seed must be"),
    ({"percentiles": (95, 5)}, "percentiles must be increasing numbers from 0 to 100"),
    ({"percentiles": (5, 101)}, "percentiles must be"),
    ({"ranges": {"bioavailability": (0.8, 0.95)}}, "cannot vary 'bioavailability'"),
    ({"ranges": {"terminal_half_life": (60, 19)}}, "0 < low <= high"),
    ({"ranges": {"terminal_half_life": "long"}}, "must be \\(low, high\\)"),
])
def test_bad_arguments_name_the_problem(kwargs, message):
    with pytest.raises(ValueError, match=message):
        pk.population_band(Regimen.single(1.0), T_SINGLE, **kwargs)


def test_bad_regimen_and_times():
    with pytest.raises(TypeError, match="regimen must be"):
        pk.population_band("1 mg", T_SINGLE)
    with pytest.raises(ValueError, match="t_h must be finite"):
        pk.population_band(Regimen.single(1.0), [0, np.nan])
