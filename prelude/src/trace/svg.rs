//! The SVG: a lane a row, a colour a state, what a slice waited for and
//! every [note](super::note) written on the picture (inside the bar when it
//! fits, else on a line of labels under the lane), what a lane held drawn
//! as a line under its bar, a time axis with ticks on round values, and a
//! key to what is drawn.
//!
//! Everything is drawn with plain shapes and text (no hover, no script): a
//! front end that shows the picture as an image (JupyterLab does, and shows
//! its PNG copy in a notebook not yet trusted) shows all of it. Each bar
//! carries `data-lane` and `data-state`, each label `class="label"` and
//! `data-lane`, each hold `data-holds`: `multitask check` reads them to hold a
//! notebook's pictures to what its text says they show.

use std::fmt::Write as _;

use super::axis::Axis;
use super::{State, Timeline};

const WIDTH: f64 = 760.0;
/// Room right of the bars, for the last tick's label.
const RIGHT: f64 = 34.0;
const BAR: f64 = 18.0;
/// The line under a bar that shows a lock held.
const HOLD: f64 = 4.0;
const LABEL_ROW: f64 = 13.0;
const GAP: f64 = 8.0;
/// A bar is never thinner than this, so a moment's running still shows
/// (running bars are drawn last, over their neighbours).
const MIN_BAR: f64 = 3.0;
/// Label lines a lane may grow; labels beyond them are counted in the key.
const MAX_LABEL_ROWS: usize = 6;
const FONT: f64 = 11.0;

fn colour(state: State) -> &'static str {
    match state {
        State::Running => "#2e7d32",
        State::Waiting => "#ef6c00",
        State::Sleeping => "#90a4ae",
        State::Ready => "#64b5f6",
    }
}

/// The colour of a label written inside a bar of `state`.
fn ink(state: State) -> &'static str {
    match state {
        State::Running => "#ffffff",
        _ => "#1a1a1a",
    }
}

const HELD: &str = "#6a1b9a";

/// How wide `text` is drawn at `size` px: a generous guess (DejaVu Sans's
/// widest common letters), so that what is judged to fit does.
fn text_width(text: &str, size: f64) -> f64 {
    unicode_width::UnicodeWidthStr::width(text) as f64 * size * 0.62
}

/// A label to place: where it starts, what it says, and from which bar.
struct Label {
    x: f64,
    text: String,
}

/// Labels that did not fit in their bars, placed on lines under the lane:
/// each on the first line where it overlaps nothing.
struct Lines {
    /// Each line's labels, as (x, end).
    lines: Vec<Vec<(f64, f64)>>,
    placed: Vec<(usize, Label)>,
    left_out: usize,
    /// The last label's text and end, to skip one repeated at once.
    last: Option<(String, f64)>,
}

impl Lines {
    fn new() -> Lines {
        Lines {
            lines: Vec::new(),
            placed: Vec::new(),
            left_out: 0,
            last: None,
        }
    }

    fn place(&mut self, label: Label) {
        let end = label.x + text_width(&label.text, FONT - 1.0) + 6.0;
        // The same words again right after (a pool worker's `next chunk`
        // four times over): once is enough.
        if let Some((text, last_end)) = &self.last
            && *text == label.text
            && label.x < *last_end
        {
            return;
        }
        self.last = Some((label.text.clone(), end));
        let free = self
            .lines
            .iter()
            .position(|line| line.iter().all(|(x, e)| end <= *x || label.x >= *e));
        let line = match free {
            Some(line) => line,
            None if self.lines.len() < MAX_LABEL_ROWS => {
                self.lines.push(Vec::new());
                self.lines.len() - 1
            }
            None => {
                self.left_out += 1;
                return;
            }
        };
        self.lines[line].push((label.x, end));
        self.placed.push((line, label));
    }
}

pub(super) fn render(timeline: &Timeline) -> String {
    let axis = Axis::of(timeline);
    let name_width = timeline
        .lanes()
        .iter()
        .map(|l| text_width(&l.name, FONT))
        .fold(60.0, f64::max)
        .min(220.0);
    let left = name_width + 12.0;
    let x = |at: std::time::Duration| left + (WIDTH - left - RIGHT) * axis.fraction(at);

    let mut body = String::new();
    let mut y = 6.0;
    let mut left_out = 0;
    for (index, lane) in timeline.lanes().iter().enumerate() {
        let mut lines = Lines::new();
        let of = escape(&lane.name);
        let _ = writeln!(
            body,
            "<text x=\"4\" y=\"{:.1}\" font-size=\"{FONT}\">{}</text>",
            y + 13.0,
            escape(&lane.name)
        );
        // Running last: a moment's running is drawn over the wait beside it.
        let mut slices: Vec<_> = timeline
            .slices()
            .iter()
            .filter(|s| s.lane == index)
            .collect();
        slices.sort_by_key(|s| s.state == State::Running);
        for slice in slices {
            let (from, to) = (x(slice.start), x(slice.end));
            let width = (to - from).max(MIN_BAR);
            let word = slice.state.word();
            let title = if slice.what.is_empty() {
                word.to_string()
            } else {
                format!("{word} ({})", slice.what)
            };
            let _ = writeln!(
                body,
                "<rect x=\"{from:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{BAR}\" \
                 fill=\"{}\" data-lane=\"{of}\" data-state=\"{word}\"><title>{} {}</title></rect>",
                colour(slice.state),
                escape(&title),
                crate::timeit::seconds((slice.end - slice.start).as_secs_f64()),
            );
            if slice.what.is_empty() {
                continue;
            }
            if text_width(&slice.what, FONT) + 6.0 <= width {
                let _ = writeln!(
                    body,
                    "<text class=\"label\" data-lane=\"{of}\" x=\"{:.1}\" y=\"{:.1}\" \
                     font-size=\"{FONT}\" fill=\"{}\">{}</text>",
                    from + 3.0,
                    y + 13.0,
                    ink(slice.state),
                    escape(&slice.what)
                );
            } else {
                lines.place(Label {
                    x: from,
                    text: slice.what.clone(),
                });
            }
        }
        for hold in timeline.holds().iter().filter(|h| h.lane == index) {
            let (from, to) = (x(hold.start), x(hold.end));
            let _ = writeln!(
                body,
                "<rect x=\"{from:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{HOLD}\" \
                 fill=\"{HELD}\" data-lane=\"{of}\" data-holds=\"{}\"><title>holds {}</title></rect>",
                y + BAR + 1.0,
                (to - from).max(MIN_BAR),
                escape(&hold.what),
                escape(&hold.what),
            );
        }
        for note in timeline.notes().iter().filter(|n| n.lane == index) {
            let at = x(note.at);
            let _ = writeln!(
                body,
                "<line x1=\"{at:.1}\" y1=\"{:.1}\" x2=\"{at:.1}\" y2=\"{:.1}\" \
                 stroke=\"#000\" stroke-width=\"1.5\" data-note=\"\"/>",
                y - 3.0,
                y + BAR + HOLD + 3.0,
            );
            lines.place(Label {
                x: at - 1.0,
                text: note.text.clone(),
            });
        }
        let under = y + BAR + HOLD + 2.0;
        for (line, label) in &lines.placed {
            // Kept inside the picture at its right edge.
            let room = WIDTH - 2.0 - text_width(&label.text, FONT - 1.0);
            let _ = writeln!(
                body,
                "<text class=\"label\" data-lane=\"{of}\" x=\"{:.1}\" y=\"{:.1}\" \
                 font-size=\"{}\" fill=\"#333\">{}</text>",
                label.x.min(room),
                under + LABEL_ROW * (*line as f64 + 1.0) - 3.0,
                FONT - 1.0,
                escape(&label.text)
            );
        }
        left_out += lines.left_out;
        y = under + LABEL_ROW * lines.lines.len() as f64 + GAP;
    }

    // The axis and its ticks.
    let axis_y = y + 2.0;
    let _ = writeln!(
        body,
        "<line x1=\"{left:.1}\" y1=\"{axis_y:.1}\" x2=\"{:.1}\" y2=\"{axis_y:.1}\" stroke=\"#444\"/>",
        WIDTH - RIGHT
    );
    for (fraction, text) in axis.ticks() {
        let at = left + (WIDTH - left - RIGHT) * fraction;
        let _ = writeln!(
            body,
            "<line x1=\"{at:.1}\" y1=\"{axis_y:.1}\" x2=\"{at:.1}\" y2=\"{:.1}\" stroke=\"#444\"/>\n\
             <text x=\"{at:.1}\" y=\"{:.1}\" text-anchor=\"middle\" font-size=\"{FONT}\">{text}</text>",
            axis_y + 4.0,
            axis_y + 16.0,
        );
    }
    let caption_y = axis_y + 32.0;
    let _ = writeln!(
        body,
        "<text x=\"{left:.1}\" y=\"{caption_y:.1}\" font-size=\"{FONT}\" fill=\"#444\">{}</text>",
        escape(&axis.caption(timeline.duration()))
    );

    // The key: a swatch and a word for each state drawn, then a held lock
    // and a note if there are any.
    let key_y = caption_y + 18.0;
    let mut key: Vec<(Swatch, String)> = State::ALL
        .into_iter()
        .filter(|state| timeline.slices().iter().any(|s| s.state == *state))
        .map(|state| (Swatch::State(state), state.word().to_string()))
        .collect();
    let mut held: Vec<&str> = timeline.holds().iter().map(|h| h.what.as_str()).collect();
    held.sort_unstable();
    held.dedup();
    key.extend(
        held.into_iter()
            .map(|what| (Swatch::Held, format!("holds the {what}"))),
    );
    if !timeline.notes().is_empty() {
        key.push((Swatch::Note, "a note".to_string()));
    }
    if left_out > 0 {
        key.push((
            Swatch::Nothing,
            format!("({left_out} labels left out: too many in one place; the summary lists all)"),
        ));
    }
    let mut key_x = left;
    for (swatch, word) in key {
        let _ = writeln!(
            body,
            "{}<text x=\"{:.1}\" y=\"{key_y:.1}\" font-size=\"{FONT}\">{}</text>",
            swatch.draw(key_x, key_y),
            key_x + 16.0,
            escape(&word)
        );
        key_x += 16.0 + text_width(&word, FONT) + 18.0;
    }
    let height = key_y + 8.0;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{WIDTH}\" height=\"{height:.0}\" \
         viewBox=\"0 0 {WIDTH} {height:.0}\" font-family=\"DejaVu Sans, sans-serif\">\n\
         <rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n{body}</svg>"
    )
}

/// What stands for a thing in the key.
enum Swatch {
    State(State),
    Held,
    Note,
    Nothing,
}

impl Swatch {
    /// Drawn at `x`, on the key's line `y`.
    fn draw(&self, x: f64, y: f64) -> String {
        match self {
            Swatch::State(state) => format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"12\" fill=\"{}\"/>",
                y - 10.0,
                colour(*state)
            ),
            Swatch::Held => format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"12\" height=\"{HOLD}\" fill=\"{HELD}\"/>",
                y - 5.0
            ),
            Swatch::Note => format!(
                "<line x1=\"{0:.1}\" y1=\"{1:.1}\" x2=\"{0:.1}\" y2=\"{y:.1}\" stroke=\"#000\" \
                 stroke-width=\"1.5\"/>",
                x + 6.0,
                y - 12.0
            ),
            Swatch::Nothing => String::new(),
        }
    }
}

pub(super) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
