//! The text chart: a lane a row between `│`s, 60 columns for the whole
//! recording, a glyph a state (`█` running, `░` waiting, `·` sleeping, `▒`
//! ready), blank before a lane began and after it ended; then the scale and
//! a legend of the states drawn.
//!
//! What lies between the bars changes with timing from run to run; the
//! notebooks' `sanitize.cfg` blanks it, and `multitask check` compares the
//! lanes, the scale's words and the summary below the chart.

use super::axis::Axis;
use super::{State, Timeline};

const COLUMNS: usize = 60;

fn glyph(state: State) -> char {
    match state {
        State::Running => '█',
        State::Waiting => '░',
        State::Sleeping => '·',
        State::Ready => '▒',
    }
}

pub(super) fn render(timeline: &Timeline) -> String {
    let axis = Axis::of(timeline);
    let width = timeline
        .lanes()
        .iter()
        .map(|l| unicode_width::UnicodeWidthStr::width(l.name.as_str()))
        .max()
        .unwrap_or(0);
    let mut rows = Vec::new();
    for (index, lane) in timeline.lanes().iter().enumerate() {
        let mut row = vec![' '; COLUMNS];
        for slice in timeline.slices().iter().filter(|s| s.lane == index) {
            let from = column(axis.fraction(slice.start));
            let to = column(axis.fraction(slice.end)).max(from + 1).min(COLUMNS);
            for cell in &mut row[from..to] {
                *cell = glyph(slice.state);
            }
        }
        let name_pad = width - unicode_width::UnicodeWidthStr::width(lane.name.as_str());
        rows.push(format!(
            "{}{}  │{}│",
            lane.name,
            " ".repeat(name_pad),
            row.into_iter().collect::<String>()
        ));
    }
    let legend: Vec<String> = State::ALL
        .iter()
        .filter(|state| timeline.slices().iter().any(|s| s.state == **state))
        .map(|state| format!("{} {}", glyph(*state), state.word()))
        .collect();
    rows.push(format!(
        "{}   {}: {}",
        " ".repeat(width),
        axis.caption(timeline.duration()),
        legend.join("  ")
    ));
    rows.join("\n")
}

fn column(fraction: f64) -> usize {
    ((fraction * COLUMNS as f64).floor() as usize).min(COLUMNS - 1)
}
