//! The prelude's `trace` pictures in the formats others read: the Chrome
//! trace is JSON with one complete event per slice, the SVG is XML with one
//! rectangle per slice (parsed by CPython's XML parser).

use std::io::Write as _;
use std::process::{Command, Stdio};

use multitask::threading::Thread;
use serde_json::Value;

fn timeline() -> multitask::trace::Timeline {
    let _turn = crate::trace_lanes::recording_turn();
    multitask::trace::record(|| {
        let t = Thread::new(|| multitask::time::sleep(0.02)).with_name("Sleeper");
        t.start().unwrap();
        t.join().unwrap();
    })
}

#[test]
fn the_chrome_trace_is_json_with_an_event_per_slice() {
    let timeline = timeline();
    let json: Value = serde_json::from_str(&timeline.to_chrome_trace()).expect("JSON");
    let events = json["traceEvents"].as_array().unwrap();
    let complete = events.iter().filter(|e| e["ph"] == "X").count();
    assert_eq!(complete, timeline.slices().len(), "{json}");
    let names: Vec<&Value> = events
        .iter()
        .filter(|e| e["ph"] == "M")
        .map(|e| &e["args"]["name"])
        .collect();
    assert_eq!(names.len(), 2, "{json}");
    assert_eq!(names[1], "Sleeper");
}

#[test]
fn the_svg_is_xml_with_a_bar_per_slice() {
    let timeline = timeline();
    let mut python = Command::new("python3")
        .args([
            "-c",
            "import sys, xml.etree.ElementTree as E\n\
             svg = E.fromstring(sys.stdin.read())\n\
             print(len([r for r in svg.findall('{http://www.w3.org/2000/svg}rect')\n\
                        if r.get('data-state')]))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3");
    python
        .stdin
        .take()
        .unwrap()
        .write_all(timeline.to_svg().as_bytes())
        .unwrap();
    let output = python.wait_with_output().unwrap();
    assert!(output.status.success(), "the SVG is not XML");
    let rects: usize = String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .unwrap();
    assert_eq!(rects, timeline.slices().len());
}
