//! The text chart: a lane a row, 60 columns for the whole recording, `█`
//! running, `░` waiting, `·` sleeping, blank before a lane began and after
//! it ended.

use super::{State, Timeline};

const COLUMNS: usize = 60;

pub(super) fn render(timeline: &Timeline) -> String {
    let total = timeline.duration().as_secs_f64().max(1e-9);
    let width = timeline
        .lanes()
        .iter()
        .map(|l| l.name.chars().count())
        .max()
        .unwrap_or(0);
    let mut rows = Vec::new();
    for (index, lane) in timeline.lanes().iter().enumerate() {
        let mut row = vec![' '; COLUMNS];
        for slice in timeline.slices().iter().filter(|s| s.lane == index) {
            let from = column(slice.start.as_secs_f64() / total);
            let to = column(slice.end.as_secs_f64() / total)
                .max(from + 1)
                .min(COLUMNS);
            let mark = match slice.state {
                State::Running => '█',
                State::Waiting => '░',
                State::Sleeping => '·',
            };
            for cell in &mut row[from..to] {
                *cell = mark;
            }
        }
        let name_pad = width - lane.name.chars().count();
        rows.push(format!(
            "{}{}  {}",
            lane.name,
            " ".repeat(name_pad),
            row.into_iter().collect::<String>().trim_end()
        ));
    }
    let end = format!("{:.1?}", timeline.duration());
    rows.push(format!(
        "{}  0{}{end}",
        " ".repeat(width),
        " ".repeat(COLUMNS.saturating_sub(1 + end.len()))
    ));
    rows.join("\n")
}

fn column(fraction: f64) -> usize {
    ((fraction * COLUMNS as f64).floor() as usize).min(COLUMNS - 1)
}
