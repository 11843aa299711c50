//! The SVG: a lane a row, a colour a state, a `<title>` (the hover text) on
//! each slice, a time axis in milliseconds, and a key to the colours drawn.

use super::{State, Timeline};

const WIDTH: f64 = 720.0;
const LABELS: f64 = 120.0;
const ROW: f64 = 24.0;
/// Room right of the bars, for the last tick's label.
const RIGHT: f64 = 30.0;

fn colour(state: State) -> &'static str {
    match state {
        State::Running => "#2e7d32",
        State::Waiting => "#ef6c00",
        State::Sleeping => "#90a4ae",
        State::Ready => "#64b5f6",
    }
}

pub(super) fn render(timeline: &Timeline) -> String {
    let total = timeline.duration().as_secs_f64().max(1e-9);
    let lanes = timeline.lanes().len() as f64;
    let height = ROW * lanes + 50.0;
    let x = |secs: f64| LABELS + (WIDTH - LABELS - RIGHT) * secs / total;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n"
    );
    for (index, lane) in timeline.lanes().iter().enumerate() {
        let y = ROW * index as f64;
        svg += &format!(
            "<text x=\"4\" y=\"{:.1}\">{}</text>\n",
            y + 16.0,
            escape(&lane.name)
        );
    }
    for slice in timeline.slices() {
        let (fill, word) = (colour(slice.state), slice.state.word());
        let (from, to) = (x(slice.start.as_secs_f64()), x(slice.end.as_secs_f64()));
        let title = if slice.what.is_empty() {
            format!("{word} {:.1?}", slice.end - slice.start)
        } else {
            format!("{word} ({}) {:.1?}", slice.what, slice.end - slice.start)
        };
        svg += &format!(
            "<rect x=\"{from:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\">\
             <title>{}</title></rect>\n",
            ROW * slice.lane as f64 + 4.0,
            (to - from).max(1.0),
            ROW - 8.0,
            escape(&title)
        );
    }
    let axis = ROW * lanes + 12.0;
    svg += &format!(
        "<line x1=\"{LABELS}\" y1=\"{axis}\" x2=\"{:.1}\" y2=\"{axis}\" stroke=\"#444\"/>\n",
        WIDTH - RIGHT
    );
    for tick in 0..=4 {
        let secs = total * f64::from(tick) / 4.0;
        svg += &format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.1} ms</text>\n",
            x(secs),
            axis + 14.0,
            secs * 1000.0
        );
    }
    // The key: a swatch and a word for each state drawn.
    let mut key = Vec::new();
    for state in [
        State::Running,
        State::Waiting,
        State::Sleeping,
        State::Ready,
    ] {
        if timeline.slices().iter().any(|s| s.state == state) {
            key.push(format!(
                "<tspan fill=\"{}\">■</tspan> {}",
                colour(state),
                state.word()
            ));
        }
    }
    svg += &format!(
        "<text x=\"{LABELS}\" y=\"{:.1}\" xml:space=\"preserve\">{}</text>\n",
        axis + 32.0,
        key.join("    ")
    );
    svg + "</svg>"
}

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
