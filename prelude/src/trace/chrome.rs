//! Chrome's trace-event format: `{"traceEvents": [...]}` with one complete
//! (`X`) event per slice and a `thread_name` metadata event per lane, times
//! in microseconds.

use super::Timeline;

pub(super) fn render(timeline: &Timeline) -> String {
    let mut events = Vec::new();
    for (index, lane) in timeline.lanes().iter().enumerate() {
        events.push(format!(
            "{{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":{index},\"args\":{{\"name\":{}}}}}",
            json_string(&lane.name)
        ));
    }
    for slice in timeline.slices() {
        let name = if slice.what.is_empty() {
            slice.state.word().to_string()
        } else {
            format!("{} ({})", slice.state.word(), slice.what)
        };
        events.push(format!(
            "{{\"ph\":\"X\",\"name\":{},\"cat\":\"{}\",\"pid\":1,\"tid\":{},\"ts\":{:.3},\"dur\":{:.3}}}",
            json_string(&name),
            slice.state.word(),
            slice.lane,
            slice.start.as_secs_f64() * 1e6,
            (slice.end - slice.start).as_secs_f64() * 1e6
        ));
    }
    format!("{{\"traceEvents\":[\n{}\n]}}\n", events.join(",\n"))
}

fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out += "\\\"",
            '\\' => out += "\\\\",
            c if (c as u32) < 0x20 => out += &format!("\\u{:04x}", c as u32),
            c => out.push(c),
        }
    }
    out + "\""
}
