//! Where an instant falls across a picture, for the SVG and the text chart
//! alike: by time, on an axis with ticks at round values (`0`, `20 ms`,
//! `40 ms`, …), or by turns, each change the same width.

use std::time::Duration;

use super::Timeline;

/// The horizontal scale of one picture.
pub(super) enum Axis {
    /// Proportional to time, `length` seconds across (the recording's, or
    /// the longer one it was given to share with another picture).
    Time { length: f64 },
    /// Every instant something changed, in order, equally spaced; or a
    /// schedule's `steps`, which took no time at all.
    Turns {
        marks: Vec<Duration>,
        steps: Option<usize>,
    },
}

impl Axis {
    /// The scale `timeline` asks for.
    pub(super) fn of(timeline: &Timeline) -> Axis {
        if timeline.turns {
            let mut marks: Vec<Duration> = [Duration::ZERO, timeline.duration]
                .into_iter()
                .chain(timeline.slices.iter().flat_map(|s| [s.start, s.end]))
                .chain(timeline.notes.iter().map(|n| n.at))
                .chain(timeline.holds.iter().flat_map(|h| [h.start, h.end]))
                .collect();
            marks.sort();
            marks.dedup();
            return Axis::Turns {
                marks,
                steps: timeline.steps,
            };
        }
        let length = timeline
            .axis
            .unwrap_or_default()
            .max(timeline.duration)
            .as_secs_f64();
        Axis::Time {
            length: length.max(1e-9),
        }
    }

    /// How far across (0 to 1) the instant `at` lies.
    pub(super) fn fraction(&self, at: Duration) -> f64 {
        match self {
            Axis::Time { length } => (at.as_secs_f64() / length).clamp(0.0, 1.0),
            Axis::Turns { marks, .. } => {
                let steps = marks.len().saturating_sub(1).max(1) as f64;
                match marks.binary_search(&at) {
                    Ok(index) => index as f64 / steps,
                    // Between two marks (cannot happen for what is drawn).
                    Err(index) => (index as f64 - 0.5).max(0.0) / steps,
                }
            }
        }
    }

    /// The ticks: where (0 to 1) and what they read. By time, on round
    /// values in one unit; by turns, none (the caption says why).
    pub(super) fn ticks(&self) -> Vec<(f64, String)> {
        let Axis::Time { length } = *self else {
            return Vec::new();
        };
        let step = round_step(length / 6.0);
        let (scale, unit) = unit_of(step);
        let count = (length / step + 1e-9).floor() as u64;
        (0..=count)
            .map(|k| {
                let secs = step * k as f64;
                let value = secs / scale;
                let text = if k == 0 {
                    "0".to_string()
                } else {
                    format!("{} {unit}", value.round())
                };
                (secs / length, text)
            })
            .collect()
    }

    /// What the axis is, in words: `0 to 37.8 µs`, or `by turns: 9 in 37.8
    /// µs`.
    pub(super) fn caption(&self, duration: Duration) -> String {
        let took = crate::timeit::seconds(duration.as_secs_f64());
        match self {
            Axis::Time { length } if *length > duration.as_secs_f64() * 1.001 => {
                format!("0 to {took}, drawn to {}", crate::timeit::seconds(*length))
            }
            Axis::Time { .. } => format!("0 to {took}"),
            Axis::Turns {
                steps: Some(steps), ..
            } => format!("one schedule, in order: {steps} steps, each drawn the same width"),
            Axis::Turns { marks, .. } => format!(
                "by turns: {} changes in {took}, each drawn the same width",
                marks.len().saturating_sub(1)
            ),
        }
    }
}

/// The smallest of 1, 2, 5 × 10ⁿ seconds that is at least `at_least`.
fn round_step(at_least: f64) -> f64 {
    let power = 10f64.powf(at_least.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= at_least * (1.0 - 1e-9))
        .unwrap_or(10.0 * power)
}

/// The unit a step is written in, so that it is a whole number of them.
fn unit_of(step: f64) -> (f64, &'static str) {
    [(1.0, "s"), (1e-3, "ms"), (1e-6, "µs")]
        .into_iter()
        .find(|(scale, _)| step >= *scale * (1.0 - 1e-9))
        .unwrap_or((1e-9, "ns"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticks(secs: f64) -> Vec<String> {
        Axis::Time { length: secs }
            .ticks()
            .into_iter()
            .map(|(_, t)| t)
            .collect()
    }

    #[test]
    fn ticks_fall_on_round_values_in_one_unit() {
        assert_eq!(
            ticks(0.1291),
            ["0", "50 ms", "100 ms"].map(String::from).to_vec()
        );
        assert_eq!(
            ticks(0.1928),
            ["0", "50 ms", "100 ms", "150 ms"]
                .map(String::from)
                .to_vec()
        );
        assert_eq!(
            ticks(37.8e-6),
            ["0", "10 µs", "20 µs", "30 µs"].map(String::from).to_vec()
        );
        assert_eq!(
            ticks(2.1),
            ["0", "500 ms", "1000 ms", "1500 ms", "2000 ms"]
                .map(String::from)
                .to_vec()
        );
        assert_eq!(ticks(0.5016).len(), 6, "{:?}", ticks(0.5016));
    }

    #[test]
    fn turns_space_every_change_evenly() {
        let ms = Duration::from_millis;
        let axis = Axis::Turns {
            marks: vec![ms(0), ms(1), ms(90), ms(100)],
            steps: None,
        };
        assert_eq!(axis.fraction(ms(1)), 1.0 / 3.0);
        assert_eq!(axis.fraction(ms(90)), 2.0 / 3.0);
        assert!(axis.ticks().is_empty());
    }
}
