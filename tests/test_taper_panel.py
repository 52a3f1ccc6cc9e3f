"""Taper planner panel and taper figures (notebook 07): set a control, check the schedule, the
lines, the table, the message and the PNG changed. Teaching material about how tapers are
designed, never a plan for a person."""

import html
import re

import numpy as np
import pandas as pd
import pytest

from clonaedu import pk, regimens, taper
from clonaedu.panels import TaperPlanner
from clonaedu.panels.taper import start_options
from clonaedu.plots import taper as tp

ALERT = "color:#B24000"


@pytest.fixture
def panel():
    return TaperPlanner()


def drawn_steps(panel):
    """(x, y) of every step line that has data."""
    return [(line.get_xdata(), line.get_ydata()) for line in panel.artists["steps"] if len(line.get_xdata())]


def table_rows(panel):
    """The HTML table's body rows as lists of unescaped cell texts."""
    rows = re.findall(r"<tr>(.*?)</tr>", panel.table.value)[1:]  # skip the header row
    return [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)] for row in rows]


def expected_rows(schedule):
    out = []
    for r in schedule.itertuples():
        if np.isnan(r.cut_percent):
            cut = "switch" if r.step else ""
        else:
            cut = f"{r.cut_percent:g}%" + (" *" if r.larger_than_rule else "")
        held = "" if r.daily_total_mg == 0 else f"{r.hold_days:g}"
        out.append([f"{r.day:g}", held, r.drug, f"{r.morning_mg:g}", f"{r.evening_mg:g}", f"{r.daily_total_mg:g}", cut,
                    r.morning_tablets, r.evening_tablets])
    return out


# --------------------------------------------------------------------------------------
# Initial state
# --------------------------------------------------------------------------------------
def test_initial_state_is_the_label_taper_from_1_mg(panel):
    assert panel.rule.value == "label_panic" and panel.start.value == 1.0
    assert panel.schedule.daily_total_mg.tolist() == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert panel.percent.disabled and panel.interval.disabled
    assert panel.interval.value == 3
    text = panel.message_text
    assert "4 steps, no dose from day 12" in text
    assert "first step 25%" in text and "largest step before the stop 50%" in text
    assert "a 100% cut" in text
    assert taper.NOTICE in text
    assert ALERT not in panel.message.value
    assert panel.png.startswith(b"\x89PNG")
    assert panel.renders == 1
    assert taper.NOTICE in panel.table.value
    assert taper.NOTICE.split(":")[0] in panel.artists["notice"].get_text().replace("\n", " ")
    assert panel.artists["illustrative"].get_text() == tp.ILLUSTRATIVE


def test_step_line_is_the_schedule(panel):
    [(x, y)] = drawn_steps(panel)
    assert list(x[1:-1]) == [3, 6, 9, 12]  # steps start on these days
    assert list(y[:-1]) == [1.0, 0.75, 0.5, 0.25, 0.0]
    assert panel.artists["steps"][0].get_drawstyle() == "steps-post"
    label = [t.get_text() for t in panel.artists["labels"] if t.get_text()]
    assert label == ["US label: stops day 12"]


# --------------------------------------------------------------------------------------
# Rule changes
# --------------------------------------------------------------------------------------
def test_rule_change_changes_lines_table_message_and_png(panel):
    before_png, before_table, before_msg = panel.png, panel.table.value, panel.message_text
    [(x_before, _)] = drawn_steps(panel)
    panel.rule.value = "joint_guideline_2025"
    expected = taper.schedule(1, rule="joint_guideline_2025")
    assert panel.schedule.equals(expected)
    [(x, _)] = drawn_steps(panel)
    assert list(x[1:-1]) == [14, 35, 63, 77] and not np.array_equal(x, x_before)
    assert table_rows(panel) == expected_rows(expected)
    assert panel.table.value != before_table
    assert "no dose from day 77 (~11 weeks)" in panel.message_text and panel.message_text != before_msg
    assert "10% every 14 days" in panel.message_text
    assert panel.png != before_png
    assert panel.renders == 2


def test_percent_controls_follow_the_rule(panel):
    rules = taper.rules()
    assert panel.percent.disabled and panel.interval.disabled  # the label rule
    for name in ("joint_guideline_2025",):
        panel.rule.value = name
        row = rules.loc[name]
        assert not panel.percent.disabled and not panel.interval.disabled
        assert (panel.percent.min, panel.percent.max) == (row.percent_min, row.percent_max)
        assert (panel.interval.min, panel.interval.max) == (row.interval_days_min, row.interval_days_max)
        assert panel.percent.value == row.percent_default  # each rule opens at its default pace
        assert panel.interval.value == row.interval_days_default
    panel.rule.value = "label_panic"
    assert panel.percent.disabled and panel.interval.disabled
    assert panel.interval.value == 3
    assert "there is no percent or interval to choose" in panel.message_text


def test_percent_and_interval_change_the_schedule():
    panel = TaperPlanner(start_mg_per_day=4.0, rule="joint_guideline_2025", form="odt")
    panel.percent.value = 5
    panel.interval.value = 28
    expected = taper.schedule(4.0, rule="joint_guideline_2025", percent=5, interval_days=28, form="odt")
    assert panel.schedule.equals(expected)
    assert table_rows(panel) == expected_rows(expected)
    assert f"no dose from day {expected.attrs['duration_days']}" in panel.message_text
    assert "5% every 28 days" in panel.message_text
    # the slider cannot leave the rule's bounds: the widget clamps, the model never sees 50%
    panel.percent.value = 50
    assert panel.percent.value == 10
    panel.interval.value = 3
    assert panel.interval.value == 14


# --------------------------------------------------------------------------------------
# Flags and bounds
# --------------------------------------------------------------------------------------
def test_start_above_the_labelled_maximum_is_flagged(panel):
    panel.start.value = 4.0
    assert not panel.flagged and ALERT not in panel.message.value
    panel.start.value = 4.5
    assert panel.flagged
    assert "⚠ The starting dose of 4.5 mg/day is above the labelled maximum of 4 mg/day" in panel.message_text
    assert ALERT in panel.message.value
    assert panel.schedule.daily_total_mg.iloc[0] == 4.5
    assert panel.artists["maximum"].get_visible()  # the dashed maximum line is in view
    panel.start.value = 2.0
    assert not panel.flagged and ALERT not in panel.message.value


def test_start_slider_bounds_hold_the_maximum_but_not_absurd_values(panel):
    values = [v for _, v in panel.start.options]
    assert values == taper.makeable_totals("tablet", 5.0) == start_options("tablet")
    assert 0 < values[0] <= 0.25 and 4.0 in values and values[-1] == 5.0
    assert np.allclose(np.diff(values), 0.25)
    panel.form.value = "odt"
    values = [v for _, v in panel.start.options]
    assert values[0] == 0.125 and 4.0 in values and values[-1] == 5.0
    assert np.allclose(np.diff(values), 0.125)


def test_bad_constructor_arguments_raise_naming_them():
    with pytest.raises(ValueError, match="start_mg_per_day"):
        TaperPlanner(start_mg_per_day=0)
    with pytest.raises(ValueError, match="outside this panel's range"):
        TaperPlanner(start_mg_per_day=8)
    with pytest.raises(ValueError, match="unknown rule"):
        TaperPlanner(rule="cold_turkey")
    with pytest.raises(ValueError, match="percent"):
        TaperPlanner(rule="label_panic", percent=10)
    with pytest.raises(ValueError, match="interval_days"):
        TaperPlanner(rule="joint_guideline_2025", interval_days=7)
    with pytest.raises(ValueError, match="cannot be made"):
        TaperPlanner(start_mg_per_day=0.375)  # needs ODTs


# --------------------------------------------------------------------------------------
# Form and compare-all
# --------------------------------------------------------------------------------------
def test_form_change_keeps_the_dose_and_uses_odts(panel):
    panel.form.value = "odt"
    assert panel.start.value == 1.0
    assert panel.schedule.morning_mg.tolist() == panel.schedule.evening_mg.tolist() == [0.5, 0.375, 0.25, 0.125, 0]
    assert "ODT" in panel.table.value
    panel.start.value = 0.375
    panel.form.value = "tablet"  # 0.375 cannot be made from tablets: the nearest makeable dose
    assert panel.start.value in (0.25, 0.5)
    assert panel.schedule.attrs["form"] == "tablet"


def test_compare_all_overlays_one_step_line_per_rule(panel):
    panel.compare_all.value = True
    names = taper.rule_names()
    steps = drawn_steps(panel)
    assert len(steps) == len(names) == 2
    assert set(panel.shown) == set(names)
    colors = {line.get_color() for line in panel.artists["steps"]}
    assert colors == {tp.rule_color(n) for n in names}
    labels = sorted(t.get_text() for t in panel.artists["labels"] if t.get_text())
    assert labels == sorted(["US label: stops day 12", "Guideline pace, averaged (course model): stops day 77 (~11 weeks)"])
    compared = taper.compare(1.0)
    for _, row in compared.iterrows():
        assert f"{row.steps} steps, no dose from day {row.duration_days}" in panel.message_text
    # the chosen rule is drawn last (on top) and fully opaque; the others are paler
    assert panel.artists["steps"][-1].get_color() == tp.rule_color("label_panic")
    assert panel.artists["steps"][-1].get_alpha() == 1.0 > panel.artists["steps"][0].get_alpha()
    panel.compare_all.value = False
    assert len(drawn_steps(panel)) == 1


def test_days_versus_months_contrast_is_on_one_axis():
    panel = TaperPlanner(start_mg_per_day=4.0, rule="joint_guideline_2025", compare_all=True)
    stops = {name: s.attrs["duration_days"] for name, s in panel.shown.items()}
    assert stops["label_panic"] == 48 and stops["joint_guideline_2025"] == 245
    x_lo, x_hi = panel.artists["ax_conc"].get_xlim()
    assert x_hi >= max(stops.values()) and x_lo < 0
    assert "(~8 months)" in panel.message_text


# --------------------------------------------------------------------------------------
# The concentration curve
# --------------------------------------------------------------------------------------
def test_concentration_falls_when_the_doses_fall(panel):
    for rule in ("label_panic", "joint_guideline_2025"):
        panel.rule.value = rule
        curve = panel.curves[rule]
        means = np.array(curve.step_means_ng_ml)
        assert len(means) == len(panel.schedule) - 1
        assert np.all(np.diff(means) < 0)  # every step down lowers where the level settles
        # the drawn line is the curve's daily mean
        line = panel.artists["curves"][0]
        assert np.allclose(line.get_ydata()[:-1], curve.day_mean_ng_ml)
        # after the last dose the level keeps falling for days (long half-life), then nears zero
        stop = panel.schedule.attrs["duration_days"]
        at_stop = np.interp(stop, curve.t_days, curve.conc_ng_ml)
        a_day_later = np.interp(stop + 1, curve.t_days, curve.conc_ng_ml)
        assert 0.4 * at_stop < a_day_later < at_stop
        assert curve.conc_ng_ml[-1] < 0.05 * means[0]


def test_curve_starts_at_steady_state_and_is_smooth_through_a_step():
    sched = taper.schedule(1)
    curve = tp.concentration_through_taper(sched)
    morning, bedtime = tp.dose_clock_times()
    first_dose_h = int(morning[:2])  # steady_state counts hours from the first dose of the day
    ss = pk.steady_state(regimens.Regimen.daily_at([morning, bedtime], [0.5, 0.5], days=1),
                         (np.arange(0, 24, 0.5) - first_dose_h) % 24, period_h=24)
    day_before = (curve.t_days >= -1) & (curve.t_days < 0)
    assert np.allclose(curve.conc_ng_ml[day_before], ss, rtol=1e-4)
    # the first step (25% less from day 3) lowers the daily mean gradually, not at once
    mean = dict(zip(curve.day_mid_days, curve.day_mean_ng_ml))
    drop_1 = mean[2.5] - mean[3.5]
    drop_2 = mean[3.5] - mean[4.5]
    assert drop_1 > 0 and drop_2 > 0 and drop_1 < 0.25 * mean[2.5]


def test_curve_input_is_checked():
    with pytest.raises(ValueError, match="schedule"):
        tp.concentration_through_taper(pd.DataFrame({"day": [0, 3], "daily_total_mg": [1, 0]}))
    with pytest.raises(ValueError, match="step_h"):
        tp.concentration_through_taper(taper.schedule(1), step_h=5)


# --------------------------------------------------------------------------------------
# Table, cache and rendering
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize("start, rule, percent, interval, form", [
    (1.0, "label_panic", None, None, "tablet"),
    (2.5, "joint_guideline_2025", 7, 21, "tablet"),
    (3.0, "joint_guideline_2025", 5, 14, "odt"),
])
def test_table_rows_equal_the_schedule(start, rule, percent, interval, form):
    panel = TaperPlanner(start_mg_per_day=start, rule=rule, percent=percent, interval_days=interval, form=form)
    expected = taper.schedule(start, rule=rule, percent=percent, interval_days=interval, form=form)
    assert table_rows(panel) == expected_rows(expected)
    assert len(table_rows(panel)) == len(expected)
    marked = [row[6].endswith("*") for row in table_rows(panel)]
    assert marked == expected.larger_than_rule.tolist()


def test_schedule_table_text_and_html_carry_the_notice():
    table = tp.schedule_table(taper.schedule(1, rule="joint_guideline_2025"))
    assert taper.NOTICE in repr(table) and taper.NOTICE in table._repr_html_()
    assert "10% of the current dose every 14 days" in table.caption
    assert "* the strengths cannot make a smaller cut" in table.html


def test_results_are_cached_and_unchanged_axes_are_blitted():
    panel = TaperPlanner(compare_all=True)
    axes_draws, full_draws = [], []
    for ax in panel.figure.axes:
        original = ax.draw
        ax.draw = lambda renderer, original=original: (axes_draws.append(1), original(renderer))
    canvas_draw = panel.figure.canvas.draw
    panel.figure.canvas.draw = lambda *a, **k: (full_draws.append(1), canvas_draw(*a, **k))
    cached = len(panel._cache)
    for name in ("joint_guideline_2025", "label_panic"):
        panel.rule.value = name  # default paces: every schedule is already in the cache
    assert len(panel._cache) == cached
    assert axes_draws == []  # the axes did not change: only the lines were redrawn
    panel.start.value = 2.0  # new limits: the two axes are redrawn over the cached frame
    assert len(axes_draws) == 2 and len(panel._backgrounds) == 2
    panel.start.value = 1.0  # limits seen before: their background is reused
    assert len(axes_draws) == 2
    assert full_draws == []  # the notice and the footer are never redrawn
    assert panel.renders == 5  # first render, two rules, two starting doses


def test_fast_render_matches_a_full_draw():
    panel = TaperPlanner(compare_all=True)
    panel.start.value = 2.5  # new limits, drawn over the cached frame
    fast = np.asarray(panel.figure.canvas.buffer_rgba()).astype(int)
    panel.figure.canvas.draw()
    for artist in panel._animated:
        panel.figure.draw_artist(artist)
    full = np.asarray(panel.figure.canvas.buffer_rgba()).astype(int)
    assert (np.abs(fast - full).max(axis=-1) > 8).sum() < 20  # the same picture, give or take a pixel


def test_static_figure_compares_every_rule():
    fig = tp.taper_figure(1.0)
    artists = [t.get_text() for t in fig.figure.axes[0].texts]
    assert any("US label: stops day 12" in t for t in artists)
    assert "stops on day 77 (~11 weeks)" in fig.alt and "stops on day 12" in fig.alt
    assert taper.NOTICE in fig.alt and tp.ILLUSTRATIVE in fig.alt
    assert tp.ILLUSTRATIVE in [t.get_text() for t in fig.figure.axes[1].texts]
    assert fig._repr_png_().startswith(b"\x89PNG")
    assert repr(fig).startswith("[Figure: Taper schedules from 1 mg/day")


def test_the_longest_taper_in_range_is_drawn_whole():
    panel = TaperPlanner(start_mg_per_day=5.0, rule="joint_guideline_2025", percent=5, interval_days=28, form="odt")
    assert panel.schedule.attrs["duration_days"] == 1092
    assert "no dose from day 1092 (~3.0 years)" in panel.message_text
    assert panel.flagged  # 5 mg/day is above the labelled maximum
    assert panel.artists["ax_conc"].get_xlim()[1] >= 1092
    curve = panel.curves["joint_guideline_2025"]
    assert curve.t_days[-1] > 1092 and np.all(np.diff(curve.step_means_ng_ml) < 0)
    panel.start.value = 0.125  # the shortest: one step, which is the stop
    assert "1 step, no dose from day 28" in panel.message_text


def test_stamped_labels_look_like_plain_text():
    """Labels are pasted from a cached bitmap after their first draw: same pixels as plain text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    def render(cls):
        fig = Figure(figsize=(4, 1.5), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        ax.axhline(0.5, color="black")
        label = ax.add_artist(cls(0.31, 0.52, "US label: stops day 12", transform=ax.transAxes, color="#D55E00",
                                  fontweight="bold", bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85}))
        fig.canvas.draw()
        fig.canvas.draw()  # the second draw pastes the stamp
        return np.asarray(fig.canvas.buffer_rgba()).astype(int), label

    plain, _ = render(tp.Text)
    stamped, label = render(tp.StampedText)
    assert len(label._stamps) == 1
    assert np.abs(plain - stamped).max() <= 3
    assert (plain != 255).any(axis=-1).sum() > 500  # there is text to compare


# --------------------------------------------------------------------------------------
# Issue 16: hold a step, slow down near the end, switch to diazepam, printable card, reset
# --------------------------------------------------------------------------------------
def test_hold_step_lengthens_that_step_and_moves_the_line_and_message():
    panel = TaperPlanner(rule="joint_guideline_2025")
    assert panel.hold_weeks.disabled  # nothing to hold until a step is chosen
    assert [v for _, v in panel.hold_step.options] == [-1, 0, 1, 2, 3]  # the steps before the stop
    before_png, before_msg = panel.png, panel.message_text
    [(x_before, _)] = drawn_steps(panel)
    panel.hold_step.value = 3
    assert not panel.hold_weeks.disabled
    panel.hold_weeks.value = 4
    expected = taper.schedule(1, rule="joint_guideline_2025", holds={3: 28})
    assert panel.schedule.equals(expected)
    assert panel.schedule.hold_days.tolist() == [14, 21, 28, 42, 0]
    [(x, _)] = drawn_steps(panel)
    assert x[-2] == x_before[-2] + 28  # the stop moves 4 weeks later
    assert "no dose from day 105" in panel.message_text and panel.message_text != before_msg
    assert "Held longer by choice: step 3 (0.25 mg/day) +28 days" in panel.message_text
    assert table_rows(panel) == expected_rows(expected)
    assert panel.png != before_png


def test_slow_down_spaces_the_last_steps():
    panel = TaperPlanner(rule="joint_guideline_2025", start_mg_per_day=2.0)
    assert panel.slow_weeks.disabled
    before_png, before_msg = panel.png, panel.message_text
    [(x_before, _)] = drawn_steps(panel)
    panel.slow_steps.value = 3
    assert not panel.slow_weeks.disabled
    panel.slow_weeks.value = 6
    expected = taper.schedule(2, rule="joint_guideline_2025", slow_last_steps=3, slow_interval_days=42)
    assert panel.schedule.equals(expected)
    assert panel.schedule.hold_days.tolist()[-4:] == [42, 42, 42, 0]
    assert "the last 3 steps come 42 days apart" in panel.message_text and panel.message_text != before_msg
    [(x, _)] = drawn_steps(panel)
    assert x[-2] > x_before[-2] and panel.png != before_png  # the stop moves later on the figure
    # the label rule can be slowed too: the label itself says to go more slowly if withdrawal appears
    panel.rule.value = "label_panic"
    assert panel.schedule.hold_days.tolist()[-4:] == [42, 42, 42, 0]
    assert "The US label says, if withdrawal appears: If withdrawal reactions appear, consider pausing the taper" \
        in panel.message_text


def test_switch_to_diazepam_draws_the_schedule_and_says_why_no_level():
    panel = TaperPlanner()
    assert panel.switch.disabled  # the label rule names no switch
    assert not panel.artists["no_level"].get_visible()
    panel.rule.value = "joint_guideline_2025"
    assert not panel.switch.disabled
    before_png = panel.png
    panel.switch.value = True
    expected = taper.schedule(1, rule="joint_guideline_2025", switch="diazepam")
    assert panel.schedule.equals(expected)
    assert panel.schedule.drug.iloc[-2] == "diazepam"
    [(x, y)] = drawn_steps(panel)
    # one dose at a time (diazepam 5 + clonazepam 0.5), then diazepam 10 -> 9 mg/day, drawn as clonazepam-equivalent
    assert list(y[:4]) == [1.0, 1.0, 1.0, 0.9]
    assert len(panel.artists["curves"][0].get_xdata()) == 0  # no level for diazepam
    assert panel.artists["no_level"].get_visible()
    assert taper.NO_DIAZEPAM_LEVEL in panel.message_text
    assert "changed to diazepam 10 mg/day one dose at a time" in panel.message_text
    assert "give diazepam 10 to 20 mg/day" in panel.message_text  # equivalence is a range
    assert "Too little diazepam risks withdrawal and too much risks sedation" in panel.message_text
    assert "diazepam" in panel.table.value and "switch" in table_rows(panel)[1][6]
    assert table_rows(panel)[1][5] == "diazepam 5 + clonazepam 0.5"  # the half-switched week, both drugs named
    assert any("via diazepam" in t.get_text() for t in panel.artists["labels"])
    assert panel.png != before_png
    panel.rule.value = "label_panic"  # leaving the guideline rule turns the switch off
    assert panel.switch.disabled and not panel.switch.value
    assert not panel.artists["no_level"].get_visible()


def test_printable_card_carries_the_notice_and_follows_the_schedule():
    panel = TaperPlanner()
    card = panel.card_html
    assert card.startswith("<!DOCTYPE html>") and taper.NOTICE in html.unescape(card)
    assert tp.CARD_LINE == "Illustrative schedule for teaching, not a plan for a patient."
    assert tp.CARD_LINE in card and "http" not in card.split("<h2>Sources")[0]  # nothing loaded from outside
    link = re.search(r'href="data:text/html;base64,([^"]+)"', panel.card.value)
    import base64
    assert base64.b64decode(link.group(1)).decode("utf-8") == card
    assert "Printable schedule card" in panel.card.value
    panel.rule.value = "joint_guideline_2025"
    assert panel.card_html != card and "Guideline pace, averaged (course model)" in panel.card_html
    assert "pausing or slowing" in panel.card_html


def test_reset_restores_the_first_state():
    panel = TaperPlanner()
    first = (panel.png, panel.message.value, panel.table.value, panel.card.value)
    controls = {name: getattr(panel, name).value for name in
                ("start", "rule", "percent", "interval", "form", "hold_step", "hold_weeks", "slow_steps",
                 "slow_weeks", "switch", "compare_all")}
    panel.rule.value = "joint_guideline_2025"
    panel.start.value = 2.0
    panel.form.value = "odt"
    panel.switch.value = True
    panel.hold_step.value = 2
    panel.hold_weeks.value = 5
    panel.slow_steps.value = 2
    panel.compare_all.value = True
    assert panel.message.value != first[1]
    panel.reset_button.click()
    assert {name: getattr(panel, name).value for name in controls} == controls
    assert (panel.png, panel.message.value, panel.table.value, panel.card.value) == first
    assert panel.switch.disabled and panel.hold_weeks.disabled and panel.percent.disabled
    assert panel.schedule.equals(taper.schedule(1))


def test_message_is_announced_to_screen_readers(panel):
    assert 'aria-live="polite"' in panel.message.value
