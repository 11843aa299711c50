//! The REPL as a learner meets it: the real `multitask` binary in a pseudo-terminal.

use std::path::Path;
use std::process::Command;
use std::sync::MutexGuard;
use std::time::{Duration, Instant};

use multitask_tests::{multitask_bin, one_at_a_time, scratch_dir, shared_cache};
use rexpect::session::{PtySession, spawn_command};

/// Long enough for a cold first start on a 2-core machine.
const TIMEOUT_MS: u64 = 240_000;

/// What rustyline prints when it starts reading a line (it turns bracketed
/// paste on): unlike the prompt, which it redraws while a cell grows, this
/// marks a new cell exactly once.
const READY: &str = "\x1b[?2004h";

/// What the REPL shows while a cell waits for a line from stdin.
const STDIN: &str = "stdin>";

struct Repl {
    session: PtySession,
    /// What it printed before its first prompt.
    before_prompt: String,
    _one_at_a_time: MutexGuard<'static, ()>,
}

impl Repl {
    /// Starts a REPL with a history of its own, named after the test.
    fn fresh(test: &str) -> Repl {
        Repl::start(&scratch_dir(test))
    }

    /// Starts the REPL with its history in `home` and waits for the first prompt.
    fn start(home: &Path) -> Repl {
        Repl::start_with(home, &[])
    }

    /// [`Repl::start`] with these variables in its environment.
    fn start_with(home: &Path, env: &[(&str, &str)]) -> Repl {
        Repl::start_command(home, env, &[])
    }

    /// `multitask ARGS…` with these variables, waiting for its first prompt.
    fn start_command(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Repl {
        let one_at_a_time = one_at_a_time();
        let mut command = Command::new(multitask_bin());
        command
            .args(args)
            .envs(env.iter().copied())
            .env("MULTITASK_CACHE", shared_cache())
            .env("XDG_DATA_HOME", home.join("data"))
            .env("TERM", "xterm")
            .env_remove("RUST_BACKTRACE");
        let session = spawn_command(command, Some(TIMEOUT_MS)).expect("spawn multitask");
        let mut repl = Repl {
            session,
            before_prompt: String::new(),
            _one_at_a_time: one_at_a_time,
        };
        repl.before_prompt = repl.expect(READY);
        repl
    }

    fn expect(&mut self, text: &str) -> String {
        match self.session.exp_string(text) {
            Ok(before) => before,
            Err(e) => panic!("expected {text:?}: {e}"),
        }
    }

    /// Types a line and returns what the REPL printed before the next prompt.
    fn run(&mut self, line: &str) -> String {
        self.session.send_line(line).expect("type a line");
        self.expect(READY)
    }

    /// Runs `cell`, which prints `started` and then waits or loops, and
    /// presses Ctrl-C once it has started: what the REPL then shows.
    fn interrupt(&mut self, cell: &str) -> String {
        // Split, so that the echo of the typed line does not match.
        self.session
            .send_line(&format!("println!(concat!(\"sta\", \"rted\")); {cell}"))
            .expect("type a line");
        self.expect("started");
        std::thread::sleep(std::time::Duration::from_millis(300));
        self.session.send_control('c').expect("press Ctrl-C");
        self.expect(READY)
    }

    fn quit(mut self) {
        self.session.send_line(":quit").expect("type :quit");
        self.session.exp_eof().expect("the REPL exits on :quit");
    }
}

#[test]
fn jumping_range_works_without_any_setup() {
    let mut repl = Repl::fresh("repl-jumping-range");
    repl.run("let itr = jumping_range(5);");
    assert!(repl.run("itr.next()").contains("Ok(0)"));
    assert!(repl.run("itr.send(2)").contains("Ok(2)"));
    assert!(repl.run("itr.next()").contains("Ok(3)"));
    assert!(repl.run("itr.send(-1)").contains("Ok(2)"));
    repl.quit();
}

#[test]
fn the_tutorials_gen_is_a_name() {
    let mut repl = Repl::fresh("repl-gen");
    repl.run("let gen = jumping_range(5);");
    assert!(repl.run("gen.send(None)").contains("Ok(0)"));
    assert!(repl.run("gen.send(2)").contains("Ok(2)"));
    let rest = repl.run("for x in gen { println!(\"{x}\") }");
    assert!(rest.contains("3\r\n4"), "{rest}");
    repl.run("let gen = mygen(4);");
    let vars = repl.run(":vars");
    assert!(vars.contains("gen: "), "{vars}");
    // What the learner reads says `gen`, at the columns they typed it.
    let error = repl.run("let n: u8 = gen;");
    assert!(error.contains("mismatched types"), "{error}");
    assert!(!error.contains("r#"), "{error}");
    assert!(repl.run("gen.next()").contains("Ok(0)"));
    repl.quit();
}

#[test]
fn a_let_the_session_cannot_take_is_an_error_not_silence() {
    let mut repl = Repl::fresh("repl-keyword-let");
    let error = repl.run("let fn = 3;");
    assert!(
        error.contains("expected identifier, found keyword `fn`"),
        "{error}"
    );
    assert!(repl.run(":vars").contains("no variables yet"));
    // A stray closing brace parses into no statement: still an error.
    let stray = repl.run("}");
    assert!(stray.contains("unexpected closing delimiter"), "{stray}");
    repl.quit();
}

#[test]
fn a_first_binding_takes_its_types_from_rustc_not_rust_analyzer() {
    let mut repl = Repl::fresh("repl-first-binding");
    repl.run(":timing");
    // The first binding of a fresh session: rustc's type check names the
    // variable's type; rust-analyzer (seconds to load) is not asked.
    let first = repl.run("let g = jumping_range(5);");
    assert!(first.contains("Type inference (rustc)"), "{first}");
    assert!(!first.contains("rust-analyzer"), "{first}");
    assert!(repl.run("g.next()").contains("Ok(0)"));
    // A type rustc names by a path the cell cannot use (a private module):
    // the public path rustc suggests is taken instead, and the variable
    // works (this build has no rust-analyzer to ask).
    repl.run(
        "mod shapes { mod inner { #[derive(Debug)] pub struct Square; } pub use inner::Square; }",
    );
    let private = repl.run("let sq = shapes::Square;");
    assert!(private.contains("Public type path"), "{private}");
    assert!(!private.contains("rust-analyzer"), "{private}");
    assert!(repl.run("sq").contains("Square"));
    assert!(repl.run(":vars").contains("sq: crate::shapes::Square"));
    repl.quit();
}

#[test]
fn the_build_folder_keeps_the_environment_to_itself() {
    use std::os::unix::fs::PermissionsExt as _;
    let started = std::time::SystemTime::now();
    let secret = "hunter2-not-for-disk";
    let mut repl = Repl::start_with(
        &scratch_dir("repl-secrets"),
        &[("MULTITASK_TEST_TOKEN", secret)],
    );
    // The first cell goes through cargo, which records rustc's command;
    // the second runs it.
    assert!(repl.run("1 + 1").contains('2'));
    assert!(repl.run("2 + 2").contains('4'));
    repl.quit();
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    let mut records = 0;
    for folder in std::fs::read_dir(shared_cache()).unwrap() {
        let folder = folder.unwrap().path();
        let record = folder.join(".evcxr-rustc-command");
        let fresh = std::fs::metadata(&record)
            .and_then(|m| m.modified())
            .is_ok_and(|modified| modified >= started);
        if !fresh {
            continue;
        }
        records += 1;
        let text = std::fs::read_to_string(&record).unwrap();
        assert!(
            !text.contains(secret),
            "{} keeps the environment",
            record.display()
        );
        assert!(text.contains("CARGO_PKG_NAME"), "what rustc needs is kept");
        assert_eq!(mode(&record), 0o600, "{}", record.display());
        assert_eq!(mode(&folder), 0o700, "{}", folder.display());
    }
    assert!(records > 0, "no build folder recorded a command");
}

#[test]
fn processes_a_session_started_end_with_it() {
    // One left running, one killed with its REPL: neither outlives it.
    let mut pids = Vec::new();
    for kill in [false, true] {
        let mut repl = Repl::fresh(&format!("repl-children-end-{kill}"));
        repl.run(
            "let p = Process::new(|| loop { std::thread::sleep(std::time::Duration::from_millis(50)) });",
        );
        repl.run("p.start().unwrap();");
        let shown = repl.run("p.pid().unwrap()");
        let pid: i32 = shown
            .lines()
            .filter_map(|line| line.trim().parse().ok())
            .next()
            .unwrap_or_else(|| panic!("no pid in {shown:?}"));
        if kill {
            repl.session
                .process_mut()
                .signal(rexpect::process::Signal::SIGKILL)
                .unwrap();
        } else {
            repl.quit();
        }
        pids.push(pid);
    }
    assert!(
        all_gone(&pids, Duration::from_secs(10)),
        "children outlived their session: {pids:?}"
    );
}

/// Starts two `Process` children and a `sleep` command from a cell: their pids.
fn start_children(repl: &mut Repl, n: usize) -> Vec<i32> {
    let shown = repl.run(&format!(
        "let kids{n}: Vec<Process> = (0..2).map(|_| Process::new(|| loop {{ \
         std::thread::sleep(std::time::Duration::from_millis(50)) }})).collect(); \
         for k in &kids{n} {{ k.start().unwrap(); }} \
         let cmd{n} = std::process::Command::new(\"sleep\").arg(\"60\").spawn().unwrap(); \
         println!(\"pids {{}} {{}} {{}}\", kids{n}[0].pid().unwrap(), kids{n}[1].pid().unwrap(), cmd{n}.id());"
    ));
    let line = shown
        .lines()
        .find_map(|l| l.trim().strip_prefix("pids "))
        .unwrap_or_else(|| panic!("no pids in {shown:?}"));
    line.split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect()
}

/// Whether `pids` are all gone (or zombies of a gone parent) within `limit`.
fn all_gone(pids: &[i32], limit: Duration) -> bool {
    let gone = |pid: i32| multitask_tests::proc_stat(pid).is_none_or(|(state, _)| state == 'Z');
    let deadline = Instant::now() + limit;
    while !pids.iter().all(|&pid| gone(pid)) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

#[test]
fn processes_a_cell_started_end_with_its_runtime_however_it_ends() {
    let mut repl = Repl::fresh("repl-children-end-with-the-runtime");
    let endings = [
        "std::process::exit(0);",
        "std::process::abort();",
        "multitask::crash::segfault();",
        // Killed after the grace: std's sleep cannot be stopped any other way.
        "grace",
    ];
    let mut left = Vec::new();
    for (n, ending) in endings.into_iter().enumerate() {
        let pids = start_children(&mut repl, n);
        let started = Instant::now();
        let said = if ending == "grace" {
            repl.interrupt("std::thread::sleep(std::time::Duration::from_secs(60));")
        } else {
            repl.run(ending)
        };
        // The reply comes whatever the children do (the grace is 2 s).
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{ending}: {:?} to the reply: {said}",
            started.elapsed()
        );
        if !all_gone(&pids, Duration::from_secs(5)) {
            left.push(format!("{ending}: {pids:?} after {said:?}"));
        }
    }
    let pids = start_children(&mut repl, endings.len());
    repl.quit();
    if !all_gone(&pids, Duration::from_secs(5)) {
        left.push(format!(":quit: {pids:?}"));
    }
    assert!(left.is_empty(), "children outlived their runtime: {left:?}");
}

/// fds 0, 1 and 2 are the cell's: any bytes, a raw `fork()`, even closing
/// stdout, can lose that output but never the session (evcxr's protocol has
/// a channel of its own).
#[test]
fn a_cell_may_break_its_own_streams_and_the_session_goes_on() {
    let mut repl = Repl::fresh("repl-own-streams");
    let leaked = |said: &str| said.contains("EVCXR") || said.contains("Broken pipe");
    repl.run("use std::io::Write; let kept = 7;");
    let bad = without_colours(
        &repl.run("std::io::stdout().write_all(b\"out \\xff\\xfe bytes\\n\").unwrap();"),
    );
    assert!(bad.contains("out \u{fffd}\u{fffd} bytes"), "{bad}");
    let after = without_colours(&repl.run("kept + 1"));
    assert!(after.contains('8') && !leaked(&after), "{after}");
    let bad = without_colours(
        &repl.run("std::io::stderr().write_all(b\"err \\xff bytes\\n\").unwrap();"),
    );
    assert!(bad.contains("err \u{fffd} bytes"), "{bad}");
    let after = without_colours(&repl.run("eprintln!(\"still heard\"); kept + 2"));
    assert!(
        after.contains("still heard") && after.contains('9') && !leaked(&after),
        "{after}"
    );
    // A copy of the runtime made by fork() ends with its cell, unheard.
    repl.run("unsafe extern \"C\" { fn fork() -> i32; fn close(fd: i32) -> i32; }");
    repl.run("let copy = unsafe { fork() };");
    let copy: i32 = without_colours(&repl.run("copy"))
        .split_whitespace()
        .find_map(|word| word.parse().ok())
        .expect("the copy's pid");
    assert!(copy > 0, "{copy}");
    assert!(
        all_gone(&[copy], Duration::from_secs(5)),
        "the copy {copy} lives on"
    );
    let after = without_colours(&repl.run("kept + 3"));
    assert!(after.contains("10") && !leaked(&after), "{after}");
    // Closing stdout loses what is printed there, and says so.
    let closed = without_colours(&repl.run("unsafe { close(1); }"));
    let lost = without_colours(&repl.run("println!(\"into the void\"); kept + 4"));
    // Once: the echo of the typed line.
    let printed = lost.matches("into the void").count();
    assert!(lost.contains("11") && printed == 1, "{lost}");
    assert!(
        format!("{closed}{lost}").contains("closed the runtime's stdout"),
        "{closed}{lost}"
    );
    repl.quit();
}

/// A `static` starts over in each cell (each is compiled anew): the cell
/// that defines one says so, and how to keep a value instead.
#[test]
fn a_cell_that_defines_a_static_says_it_starts_over() {
    let mut repl = Repl::fresh("repl-statics");
    let said = without_colours(&repl.run(
        "use std::sync::atomic::{AtomicUsize, Ordering}; \
         static COUNTER: AtomicUsize = AtomicUsize::new(0);",
    ));
    assert!(
        said.contains("note: `static COUNTER` starts over in every later cell")
            && said.contains("bind it with `let`"),
        "{said}"
    );
    // What the note warns of, and that later cells are not noted again.
    for _ in 0..2 {
        let counted = without_colours(&repl.run("COUNTER.fetch_add(1, Ordering::SeqCst) + 1"));
        let value = counted.lines().any(|line| line.trim() == "1");
        assert!(value && !counted.contains("note:"), "{counted}");
    }
    repl.quit();
}

/// A cell loads only the variables it names (evcxr patch 29): the others
/// stay in the store, whatever the cell does, and a name inside a format
/// string counts.
#[test]
fn variables_a_cell_does_not_name_stay_as_they_were() {
    let mut repl = Repl::fresh("repl-unnamed-variables");
    for n in 1..=12 {
        repl.run(&format!("let v{n} = vec![{n}u32; {n}];"));
    }
    let shown = without_colours(&repl.run("println!(\"{v3:?}\");"));
    assert!(shown.contains("[3, 3, 3]"), "{shown}");
    let panicked = without_colours(&repl.run("let moved = v5; panic!(\"on purpose\")"));
    assert!(panicked.contains("on purpose"), "{panicked}");
    // A cell that names none takes none out of the store: its own code, as
    // compiled, has no `take_variable` (it had one a variable).
    let taken = without_colours(&repl.run(
        "std::fs::read_to_string(std::path::Path::new(&std::env::var(\"EVCXR_TMPDIR\")\
         .unwrap()).join(\"src/lib.rs\")).unwrap().matches(concat!(\"take_\", \"variable::<\"))\
         .count()",
    ));
    assert!(taken.lines().any(|line| line.trim() == "0"), "{taken}");
    let all = without_colours(&repl.run(
        "v1.len() + v2.len() + v3.len() + v4.len() + v6.len() + v7.len() + v8.len() \
         + v9.len() + v10.len() + v11.len() + v12.len()",
    ));
    assert!(
        all.contains("73"),
        "every variable but the one moved: {all}"
    );
    let vars = without_colours(&repl.run(":vars"));
    assert!(vars.contains("v12") && vars.contains("v1:"), "{vars}");
    // The build folder (this session's alone: it holds its lock) keeps the
    // shared object of the running cell only (evcxr patch 30).
    repl.run(
        "fn cell_objects(dir: &std::path::Path) -> usize { std::fs::read_dir(dir).unwrap() \
         .flatten().map(|e| if e.path().is_dir() { cell_objects(&e.path()) } else \
         { usize::from(e.file_name().to_string_lossy().starts_with(\"libcode_\")) }).sum() }",
    );
    let objects = without_colours(&repl.run(
        "cell_objects(&std::path::Path::new(&std::env::var(\"EVCXR_TMPDIR\").unwrap()).join(\"target\"))",
    ));
    assert!(objects.lines().any(|line| line.trim() == "1"), "{objects}");
    repl.quit();
}

#[test]
fn a_question_mark_that_meets_an_error_fails_the_cell_with_it() {
    let mut repl = Repl::fresh("repl-question-mark");
    repl.run("let kept = 7;");
    let said = without_colours(&repl.run("let n: i32 = \"abc\".parse()?;"));
    assert!(
        said.contains("ParseIntError: invalid digit found in string"),
        "{said}"
    );
    assert!(repl.run("kept + 1").contains('8'));
    repl.quit();
}

#[test]
fn a_binding_whose_type_rust_cannot_write_never_breaks_later_cells() {
    // Closures that never return: Rust 2024 gives them the type `!`, which
    // stable Rust cannot write where the session stores the variable.
    let mut repl = Repl::fresh("repl-never-returns");
    let cells = [
        "let t = Thread::new(|| loop { time::sleep(1.0); }); t.start()?;",
        "let h = std::thread::spawn(|| loop { std::thread::sleep(std::time::Duration::from_secs(1)); });",
        "let p = Thread::new(|| panic!(\"only panics\"));",
    ];
    for cell in cells {
        let said = repl.run(cell);
        let after = repl.run("1 + 1");
        assert!(
            after.contains('2') && !after.contains("E0282"),
            "after {cell:?} (which said {said:?}): {after:?}"
        );
    }
    let vars = repl.run(":vars");
    for (name, ty) in [
        ("t", "Thread<()>"),
        ("h", "JoinHandle<()>"),
        ("p", "Thread<()>"),
    ] {
        assert!(
            vars.lines().any(|l| l.contains(name) && l.contains(ty)),
            "{name}: {ty} not in {vars}"
        );
    }
}

#[test]
fn a_compile_error_is_readable_and_the_session_goes_on() {
    let mut repl = Repl::fresh("repl-compile-error");
    repl.run("let kept = 40;");
    let error = repl.run("let x: i32 = \"text\";");
    assert!(error.contains("mismatched types"), "{error}");
    assert_eq!(error.matches("Error").count(), 1, "one error only: {error}");
    assert!(!error.contains("evcxr"), "evcxr's insides leak: {error}");
    let missing_semicolon = repl.run("let y = 1 let z = 2;");
    assert!(
        !missing_semicolon.contains("evcxr_variable_store"),
        "{missing_semicolon}"
    );
    assert!(repl.run("kept + 2").contains("42"));
    repl.quit();
}

#[test]
fn values_show_with_their_own_display_or_debug() {
    let mut repl = Repl::fresh("repl-values");
    repl.run(
        "struct Shown; impl Shown { fn evcxr_display(&self) { \
         println!(\"EVCXR_BEGIN_CONTENT text/plain\\nshown its own way\\nEVCXR_END_CONTENT\"); } }",
    );
    let own = repl.run("Shown");
    assert!(own.contains("shown its own way"), "{own}");
    assert!(repl.run("vec![1, 2]").contains("[1, 2]"));
    repl.run(":fmt {:#?}");
    let pretty = repl.run("vec![1, 2]");
    assert!(pretty.contains("[\r\n    1,\r\n    2,\r\n]"), "{pretty}");
    repl.run(":fmt {:?}");
    repl.run(":types");
    let typed = repl.run("vec![1, 2]");
    assert!(typed.contains(": Vec<i32> = [1, 2]"), "{typed}");
    repl.run(":types");
    repl.run("struct Hidden;");
    let hidden = repl.run("Hidden");
    assert!(hidden.contains("doesn't implement `Debug`"), "{hidden}");
    repl.quit();
}

#[test]
fn a_panic_keeps_earlier_variables() {
    let mut repl = Repl::fresh("repl-panic");
    repl.run("let v = vec![1, 2, 3];");
    let panic = repl.run("v[10]");
    assert!(panic.contains("panicked: index out of bounds"), "{panic}");
    assert!(
        !panic.contains("stack backtrace"),
        "backtrace shown: {panic}"
    );
    assert!(!panic.contains("evcxr"), "evcxr's insides leak: {panic}");
    assert!(repl.run("v.len()").contains('3'));
    repl.quit();
}

#[test]
fn a_task_from_raw_tokio_spawn_panics_with_a_hint_and_first_completed_works() {
    let mut repl = Repl::fresh("repl-tokio-spawn");
    // Every cell has its own copy of tokio, and the runtime's thread has the
    // context of the copy that made it: this cell's.
    let made = repl.run("asyncio::run(async { 6 * 7 })");
    assert!(made.contains("42"), "{made}");
    // A task spawned by a later cell's copy runs where its copy has no
    // context set.
    let raw = repl.run(
        "asyncio::run(async { tokio::spawn(async { \
         tokio::time::sleep(std::time::Duration::from_millis(1)).await }).await }).is_err()",
    );
    assert!(raw.contains("there is no reactor running"), "{raw}");
    assert!(
        raw.contains("hint: in a cell, start tasks with asyncio::spawn"),
        "{raw}"
    );
    assert!(raw.contains("true"), "{raw}");
    let first = repl.run(
        "let (i, v, rest) = asyncio::run(asyncio::first_completed(vec![\
         asyncio::spawn(async { asyncio::sleep(9.0).await; 1 }), \
         asyncio::spawn(async { asyncio::sleep(0.01).await; 2 })])); \
         rest.iter().for_each(|t| { t.cancel(); }); (i, v.unwrap(), rest.len())",
    );
    assert!(first.contains("(1, 2, 1)"), "{first}");
    repl.quit();
}

#[test]
fn a_stack_overflow_and_a_failed_allocation_are_named() {
    let mut repl = Repl::fresh("repl-overflow");
    repl.run("let kept = 1;");
    repl.run("fn deeper(n: u64) -> u64 { if n == 0 { 0 } else { 1 + deeper(n - 1) } }");
    let crash = repl.run("deeper(100_000_000)");
    assert!(
        crash.contains("the runtime stopped: a stack overflow"),
        "{crash}"
    );
    assert!(crash.contains("Lost variables: kept"), "{crash}");
    let crash = repl.run("let huge: Vec<u8> = Vec::with_capacity(usize::MAX / 2);");
    assert!(
        crash.contains("the runtime stopped: the cell ran out of memory")
            && crash.contains("asked for 8.0 EB more"),
        "{crash}"
    );
    assert!(repl.run("20 + 1").contains("21"));
    repl.quit();
}

/// A slow leak is named by what it held, not by the last small allocation
/// that failed.
#[test]
fn a_cell_that_runs_out_of_memory_is_told_what_it_held() {
    let mut repl = Repl::fresh("repl-out-of-memory");
    // At most 1 GiB more address space for this runtime, then a leak of
    // 1 MiB blocks, each written to (so it is held, not just reserved).
    repl.run("unsafe extern \"C\" { fn setrlimit(resource: i32, limit: *const [u64; 2]) -> i32; }");
    repl.run(
        "let mapped = std::fs::read_to_string(\"/proc/self/statm\").unwrap()\
         .split_whitespace().next().unwrap().parse::<u64>().unwrap() * 4096;",
    );
    let limit = "let limit = [mapped + (1 << 30); 2]; \
                 assert_eq!(unsafe { setrlimit(9 /* RLIMIT_AS */, &limit) }, 0);";
    repl.run(limit);
    let crash = without_colours(
        &repl.run("let mut leak = Vec::new(); loop { leak.push(vec![1u8; 1 << 20]); }"),
    );
    assert!(crash.contains("the cell ran out of memory"), "{crash}");
    let held: f64 = crash
        .split("the runtime held ")
        .nth(1)
        .and_then(|rest| rest.split(" MB").next()?.parse().ok())
        .or_else(|| {
            let gb: f64 = crash
                .split("the runtime held ")
                .nth(1)?
                .split(" GB")
                .next()?
                .parse()
                .ok()?;
            Some(gb * 1024.0)
        })
        .unwrap_or_else(|| panic!("no size held: {crash}"));
    assert!(held >= 512.0, "held {held} MB: {crash}");
    assert!(crash.contains("asked for 1 MB more"), "{crash}");
    repl.quit();
}

#[test]
fn what_a_cell_prints_without_a_line_break_shows_in_that_cell() {
    let mut repl = Repl::fresh("repl-print");
    let printed = repl.run("print!(\"no line break\")");
    assert!(printed.contains("no line break"), "{printed}");
    let printed = repl.run("print!(\"a\"); print!(\"b\"); 40 + 2");
    assert!(printed.contains("ab\r\n42"), "{printed}");
    let next = repl.run("println!(\"next\");");
    assert!(
        !next.contains("line break") && !next.contains("ab"),
        "{next}"
    );
    repl.quit();
}

#[test]
fn an_abort_restarts_the_runtime_and_names_the_lost_variables() {
    let mut repl = Repl::fresh("repl-abort");
    repl.run("let apples = 3;");
    repl.run("let pears = 4;");
    let crash = repl.run("std::process::abort();");
    assert!(crash.contains("restarted"), "{crash}");
    assert!(
        crash.contains("apples") && crash.contains("pears"),
        "{crash}"
    );
    // The prelude is still there after the restart.
    assert!(
        repl.run("mygen(3).collect::<Vec<_>>()")
            .contains("[0, 1, 2]")
    );
    repl.quit();
}

#[test]
fn a_segfault_restarts_the_runtime_without_a_backtrace() {
    let mut repl = Repl::fresh("repl-segfault");
    repl.run("let kept_name = String::from(\"x\");");
    let crash = repl.run("unsafe { std::ptr::write_volatile(std::ptr::null_mut::<u64>(), 1) }");
    assert!(crash.contains("a segmentation fault"), "{crash}");
    assert!(
        crash.contains("kept_name"),
        "lost variables not named: {crash}"
    );
    assert!(
        !crash.contains("evcxr::runtime"),
        "backtrace shown: {crash}"
    );
    assert!(repl.run("21 * 2").contains("42"));
    repl.quit();
}

#[test]
fn ctrl_c_stops_a_looping_cell_and_keeps_every_variable() {
    let mut repl = Repl::fresh("repl-ctrl-c");
    // The issue's case: `g` was gone after `loop {}` was stopped.
    repl.run("let before = 1; let g = mygen(3);");
    let stopped = repl.interrupt("let mut n = 0u64; loop { n += 1; }");
    assert!(
        stopped.contains("KeyboardInterrupt")
            && stopped.contains("variables from before it are kept"),
        "{stopped}"
    );
    assert!(!stopped.contains("restarted"), "{stopped}");
    let next = repl.run("before + g.next().unwrap()");
    assert!(next.contains('1') && !next.contains("error"), "{next}");
    // Ctrl-C at an idle prompt clears the line and keeps the REPL.
    repl.session.send("let half_typed = ").expect("type");
    repl.session.send_control('c').expect("press Ctrl-C");
    assert!(repl.run("2 + 2").contains('4'));
    repl.quit();
}

#[test]
fn ctrl_c_stops_the_preludes_waits_and_keeps_every_variable() {
    let mut repl = Repl::fresh("repl-ctrl-c-waits");
    repl.run("let kept = 41;");
    for cell in [
        "time::sleep(600.0);",
        "let t = Thread::new(|| time::sleep(5.0)); t.start().unwrap(); t.join().unwrap();",
        "let gs: Vec<Greenlet> = (0..2).map(|_| Greenlet::spawn(|| loop { greenlet::sleep(0.1) })).collect(); greenlet::joinall(&gs)?;",
        "let busy = Greenlet::spawn(|| loop {}); busy.join().unwrap();",
        "asyncio::sleep(600.0).await;",
        "let (a, b) = pipe::<u8>().unwrap(); b.recv().unwrap(); drop(a);",
        "let p = Process::new(|| time::sleep(600.0)); p.start().unwrap(); p.join().unwrap();",
        "ThreadPool::new(Some(2)).unwrap().map(|_: u8| time::sleep(0.2), 0..100).unwrap();",
        "{ let lock = threading::Lock::new(); let _held = lock.acquire(); let _again = lock.acquire(); }",
        "let mut spins = mygen(i64::MAX); for _ in spins.by_ref() {}",
    ] {
        let stopped = repl.interrupt(cell);
        assert!(
            stopped.contains("KeyboardInterrupt") && !stopped.contains("restarted"),
            "{cell}: {stopped}"
        );
        let next = repl.run("kept + 1");
        assert!(next.contains("42"), "{cell}: {next}");
    }
    repl.quit();
}

#[test]
fn ctrl_c_on_code_that_never_checks_kills_after_a_grace_and_names_the_lost() {
    let mut repl = Repl::fresh("repl-ctrl-c-grace");
    repl.run("let lost_one = 1;");
    let stopped = repl.interrupt("std::thread::sleep(std::time::Duration::from_secs(600));");
    assert!(
        stopped.contains("did not stop by itself")
            && stopped.contains("restarted")
            && stopped.contains("lost_one"),
        "{stopped}"
    );
    assert!(repl.run("mygen(2).collect::<Vec<_>>()").contains("[0, 1]"));
    repl.quit();
}

/// The compilers that build in the tests' shared cache, running now.
fn compilers_in_the_cache() -> Vec<String> {
    let cache = shared_cache().display().to_string();
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let command = std::fs::read(entry.path().join("cmdline")).ok()?;
            let command = String::from_utf8_lossy(&command).replace('\0', " ");
            let name = std::fs::read_to_string(entry.path().join("comm")).ok()?;
            (matches!(name.trim(), "rustc" | "cargo") && command.contains(&cache))
                .then_some(command)
        })
        .collect()
}

#[test]
fn ctrl_c_during_a_long_compile_stops_the_compile_and_keeps_the_variables() {
    let mut repl = Repl::fresh("repl-ctrl-c-compile");
    repl.run("let kept = 7;");
    // rustc evaluates this constant for ever.
    repl.session
        .send_line(
            "#[allow(long_running_const_eval)] const SPIN: u64 = \
             { let mut i = 0u64; loop { i = i.wrapping_add(1); } }; SPIN",
        )
        .expect("type a line");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while compilers_in_the_cache().is_empty() {
        assert!(std::time::Instant::now() < deadline, "no compiler started");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    std::thread::sleep(std::time::Duration::from_secs(1));
    repl.session.send_control('c').expect("press Ctrl-C");
    let stopped = repl.expect(READY);
    assert!(
        stopped.contains("interrupted before it ran") && stopped.contains("no variable was lost"),
        "{stopped}"
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !compilers_in_the_cache().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the compile goes on: {:?}",
            compilers_in_the_cache()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // The runtime was left be: the variable is there, the next cell runs.
    let next = repl.run("kept + 1");
    assert!(next.contains('8') && !next.contains("interrupt"), "{next}");
    repl.quit();
}

#[test]
fn a_cell_that_reads_stdin_reads_the_terminal_and_never_the_sessions_commands() {
    let mut repl = Repl::fresh("repl-stdin");
    repl.run("let kept = 5;");
    repl.session
        .send_line(
            "let mut line = String::new(); std::io::stdin().read_line(&mut line).unwrap(); \
             println!(\"read {line:?}\");",
        )
        .expect("type a line");
    repl.expect(STDIN);
    repl.session
        .send_line("typed here")
        .expect("type the answer");
    let read = repl.expect(READY);
    assert!(read.contains("read \"typed here\\n\""), "{read}");
    // A thread that reads after its cell waits for a later cell that runs,
    // gets what is typed then, and takes none of the session's commands.
    repl.run(
        "let reader = std::thread::spawn(|| { let mut t = String::new(); \
         std::io::stdin().read_line(&mut t).unwrap(); t });",
    );
    repl.session
        .send_line("std::thread::sleep(std::time::Duration::from_millis(500)); kept + 10")
        .expect("type a line");
    repl.expect(STDIN);
    repl.session
        .send_line("for the thread")
        .expect("type the answer");
    let next = repl.expect(READY);
    assert!(next.contains("15"), "{next}");
    let joined = repl.run("reader.join().unwrap()");
    assert!(joined.contains("\"for the thread\\n\""), "{joined}");
    assert!(repl.run("kept + 20").contains("25"));
    repl.quit();
}

#[test]
fn a_function_typed_over_three_lines_is_one_cell() {
    let mut repl = Repl::fresh("repl-multi-line");
    repl.session
        .send_line("fn add(a: i32, b: i32) -> i32 {")
        .unwrap();
    repl.session.send_line("    a + b").unwrap();
    repl.session.send_line("}").unwrap();
    // Typed ahead, while the function compiles: nothing typed is lost.
    repl.session.send_line("add(40, 2)").unwrap();
    let before = repl.expect("42");
    assert!(!before.contains("error"), "{before}");
    repl.quit();
}

#[test]
fn a_pasted_block_is_one_cell() {
    let mut repl = Repl::fresh("repl-paste");
    // A terminal with bracketed paste wraps pasted text in these markers:
    // the newlines inside are text, and Enter then runs the whole block.
    repl.session
        .send("\x1b[200~fn pasted() -> i32 {\r    41\r}\x1b[201~")
        .unwrap();
    let output = repl.run("");
    assert!(!output.contains("rror"), "{output}");
    assert!(repl.run("pasted() + 1").contains("42"));
    repl.quit();
}

#[test]
fn ctrl_r_finds_an_earlier_line() {
    let mut repl = Repl::fresh("repl-ctrl-r");
    repl.run("let searched = 41;");
    repl.run("searched + 1");
    repl.run("0");
    // Ctrl-R, a few letters, Enter: the latest line with them runs again.
    repl.session.send_control('r').unwrap();
    repl.session.send("hed +").unwrap();
    assert!(repl.run("").contains("42"));
    repl.quit();
}

#[test]
fn tab_completes_from_the_prelude() {
    let mut repl = Repl::fresh("repl-tab");
    repl.session.send("jumping_ra\t").unwrap();
    repl.session.flush().unwrap();
    repl.expect("jumping_range(");
    let value = repl.run("4).next()");
    assert!(value.contains("Ok(0)"), "{value}");
    repl.quit();
}

#[test]
fn history_survives_a_restart() {
    let home = scratch_dir("repl-history");
    let mut repl = Repl::start(&home);
    repl.run("let remembered = 7 * 6;");
    repl.quit();

    let mut repl = Repl::start(&home);
    // Up-arrow, twice (past `:quit`), brings back a line of the previous run.
    repl.session.send("\x1b[A\x1b[A").unwrap();
    repl.session.send_line("").unwrap();
    repl.expect(READY);
    assert!(repl.run("remembered").contains("42"));
    repl.quit();
}

#[test]
fn a_line_printed_later_by_a_thread_or_child_shows_at_once() {
    let mut repl = Repl::fresh("repl-thread-output");
    repl.run(
        "std::thread::spawn(|| { std::thread::sleep(std::time::Duration::from_millis(300)); \
         println!(\"late line from a thread\"); });",
    );
    // Nothing typed: the line shows above the waiting prompt on its own.
    repl.expect("late line from a thread");
    // So does a line from a child process the cell started.
    repl.run(
        "let mut child = std::process::Command::new(\"sh\").args([\"-c\", \"sleep 0.3; echo late line from a child\"]).spawn().unwrap();",
    );
    repl.expect("late line from a child");
    // Reaped, not left a zombie.
    assert!(repl.run("child.wait().unwrap().success()").contains("true"));
    assert!(repl.run("40 + 2").contains("42"));
    repl.quit();
}

#[test]
fn a_process_started_in_a_cell_prints_once_and_the_session_goes_on() {
    let mut repl = Repl::fresh("repl-process");
    repl.run("let kept = 40;");
    let out = repl.run(
        "let p = Process::new(|| println!(\"hello from child {}\", getpid())); \
         p.start().unwrap(); p.join().unwrap()",
    );
    // (The typed line echoes the text too: count printed lines only.)
    let printed = out.lines().filter(|l| l.starts_with("hello from child"));
    assert_eq!(printed.count(), 1, "{out}");
    let pid = repl.run("p.pid().unwrap()");
    let pid = pid
        .lines()
        .map(str::trim)
        .rfind(|l| !l.is_empty())
        .unwrap_or_default();
    assert!(
        out.contains(&format!("hello from child {pid}\r\n")),
        "{out} / {pid}"
    );
    // A child that panics takes nothing of the session with it.
    let out = repl.run("{ let q = Process::new(|| panic!(\"the child fails\")); q.start().unwrap(); q.join().unwrap() }");
    assert!(
        out.contains("the child fails") && out.contains('1'),
        "{out}"
    );
    assert!(repl.run("kept + 2").contains("42"));
    // Nothing left behind: the runtime has no child, not even a zombie.
    let children = repl.run(
        "std::fs::read_to_string(format!(\"/proc/{0}/task/{0}/children\", getpid())).unwrap()",
    );
    assert!(children.contains("\"\""), "{children}");
    repl.quit();
}

#[test]
fn a_greenlet_spawned_in_one_cell_is_joined_in_another() {
    let mut repl = Repl::fresh("repl-greenlets");
    repl.run("let h = Greenlet::spawn(|| { greenlet::sleep(0.0); 21 * 2 });");
    // Spawned, not run: nothing has waited yet.
    assert!(repl.run("h.dead()").contains("false"));
    // Each cell has its own copy of the prelude; they share the thread's hub.
    assert!(repl.run("h.get()").contains("Ok(42)"));
    assert!(
        repl.run("greenlet::getcurrent()")
            .contains("<main greenlet>")
    );
    repl.quit();
}

#[test]
fn unknown_commands_get_one_clear_line() {
    let mut repl = Repl::fresh("repl-commands");
    let unknown = repl.run(":frobnicate");
    assert!(unknown.contains("unknown command :frobnicate"), "{unknown}");
    let help = repl.run(":help");
    assert!(help.contains(":vars") && help.contains(":dep"), "{help}");
    repl.run("let answer = 42;");
    assert!(repl.run(":vars").contains("answer: i32"));
    let exercises = repl.run(":exercises");
    assert!(exercises.contains("03-countdown"), "{exercises}");
    let bad = repl.run(":opt 7");
    assert_eq!(bad.matches("error").count(), 1, "one line: {bad}");
    assert!(repl.run("answer").contains("42"), "nothing lost");
    // Ctrl-D at the prompt leaves.
    repl.session.send_control('d').expect("press Ctrl-D");
    repl.session.exp_eof().expect("the REPL exits on Ctrl-D");
}

#[test]
fn step_walks_a_notebook_runs_edits_and_visits_the_repl() {
    let home = scratch_dir("repl-step");
    let notebook = home.join("walk.ipynb");
    let cells = [
        ("markdown", "# A small walk\nTwo **cells**."),
        ("code", "let kept = 20;"),
        ("code", "kept * 2"),
        ("code", "kept + 1"),
    ];
    let cells: Vec<serde_json::Value> = cells
        .iter()
        .enumerate()
        .map(|(i, (kind, source))| {
            let mut cell = serde_json::json!({
                "cell_type": kind, "id": format!("c{i}"), "metadata": {}, "source": source,
            });
            if *kind == "code" {
                cell["outputs"] = serde_json::json!([]);
                cell["execution_count"] = serde_json::Value::Null;
            }
            cell
        })
        .collect();
    let json =
        serde_json::json!({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5});
    std::fs::write(&notebook, json.to_string()).unwrap();

    let _one_at_a_time = one_at_a_time();
    let mut command = Command::new(multitask_bin());
    command
        .arg("step")
        .arg(&notebook)
        .env("MULTITASK_CACHE", shared_cache())
        .env("XDG_DATA_HOME", home.join("data"))
        .env("TERM", "xterm");
    let mut step = spawn_command(command, Some(TIMEOUT_MS)).expect("spawn multitask step");
    fn expect(step: &mut PtySession, text: &str) {
        if let Err(e) = step.exp_string(text) {
            panic!("expected {text:?}: {e}");
        }
    }
    expect(&mut step, "A small walk");
    expect(&mut step, "[1/4] Enter: next");
    step.send_line("").unwrap();
    expect(&mut step, "let kept = 20;");
    expect(&mut step, "[2/4] Enter: run");
    step.send_line("").unwrap();
    expect(&mut step, "[3/4] Enter: run");
    // Edit before running: Ctrl-A, Ctrl-K empty the line, then a new cell.
    step.send_line("e").unwrap();
    expect(&mut step, ">> ");
    step.send("\x01\x0b").unwrap();
    step.send_line("kept * 3").unwrap();
    expect(&mut step, "60");
    expect(&mut step, "[4/4] Enter: run");
    // Into the REPL, with the notebook's variables, and back.
    step.send_line("r").unwrap();
    expect(&mut step, "`:back` returns");
    step.send_line("kept + 100").unwrap();
    expect(&mut step, "120");
    step.send_line(":back").unwrap();
    expect(&mut step, "[4/4] Enter: run");
    step.send_line("").unwrap();
    expect(&mut step, "21");
    expect(&mut step, "The end of");
    step.exp_eof().expect("step ends after the last cell");
}

#[test]
fn the_runtime_does_not_outlive_a_killed_repl() {
    use std::io::Write as _;
    let home = scratch_dir("repl-killed");
    let _one_at_a_time = one_at_a_time();
    let mut repl = Command::new(multitask_bin())
        .env("MULTITASK_CACHE", shared_cache())
        .env("XDG_DATA_HOME", home.join("data"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn multitask");
    repl.stdin
        .as_mut()
        .unwrap()
        .write_all(b"loop {}\n")
        .unwrap();
    // Long enough for the start-up and warm-up threads to be done.
    std::thread::sleep(std::time::Duration::from_secs(8));
    let children: Vec<String> = std::fs::read_dir(format!("/proc/{}/task", repl.id()))
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("children")).ok())
        .flat_map(|list| {
            list.split_whitespace()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        children.len(),
        1,
        "one runtime, busy in its loop: {children:?}"
    );
    repl.kill().unwrap();
    repl.wait().unwrap();
    let runtime = format!("/proc/{}", children[0]);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while Path::new(&runtime).exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(
        !Path::new(&runtime).exists(),
        "the runtime outlived its REPL"
    );
}

/// A warning belongs to the cell that wrote the code: an earlier cell's
/// `fn` is compiled again with each later cell, and its warning is not shown
/// again under their errors.
#[test]
fn an_earlier_cells_warning_is_not_shown_again() {
    let mut repl = Repl::fresh("repl-warning-once");
    let first = without_colours(&repl.run("fn helper() { let unused = 1; }"));
    assert!(!first.contains("Error"), "{first}");
    let later = without_colours(&repl.run("let wrong: i32 = \"text\";"));
    assert!(later.contains("mismatched types"), "{later}");
    assert!(
        !later.contains("unused"),
        "the earlier warning again: {later}"
    );
    repl.quit();
}

/// What the REPL printed, as a learner reads it: without colours, and
/// read as UTF-8 again (rexpect hands back each byte as a character).
fn without_colours(text: &str) -> String {
    let text = if text.chars().all(|c| u32::from(c) < 256) {
        let bytes: Vec<u8> = text.chars().map(|c| c as u8).collect();
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        text.to_string()
    };
    multitask_tests::without_colours(&text)
}

/// Every habit of `repl/habits.toml` typed as a learner would (after its
/// setup), and its hint under the error it gets.
#[test]
fn every_python_habit_gets_its_hint() {
    let mut repl = Repl::fresh("repl-python-habits");
    let mut missed = Vec::new();
    for habit in multitask_repl::session::habits::habits() {
        let entry = &habit.entry;
        for setup in &entry.setup {
            let shown = without_colours(&repl.run(setup));
            assert!(
                !shown.contains("Error"),
                "setup of {}: {shown}",
                entry.typed
            );
        }
        let shown = without_colours(&repl.run(&entry.typed));
        let hint = entry.hint.trim();
        // `{span}` stands for the text under the error: match around it.
        let found = hint.split("{span}").all(|part| shown.contains(part.trim()));
        if !shown.contains("hint: ") || !found {
            missed.push(format!("MISSED {} — got:\n{shown}", entry.typed));
        }
    }
    assert!(
        missed.is_empty(),
        "habits without their hint:\n{}",
        missed.join("\n\n")
    );
    repl.quit();
}

/// `step --exercise ID` opens the chapter at that exercise: the cells
/// before it run, and the first prompt is the exercise's own.
#[test]
fn step_opens_a_chapter_at_an_exercise() {
    let next = multitask::exercises::ALL[1];
    let mut step = Repl::start_command(
        &scratch_dir("repl-step-exercise"),
        &[],
        &["step", "--exercise", next.id],
    );
    let shown = without_colours(&step.before_prompt);
    assert!(
        shown.contains(&format!("Exercise {} is cell", next.id)),
        "{shown}"
    );
    assert!(shown.contains("code cells before it run first"), "{shown}");
    // The exercise's own text: it names the function to write.
    let function = next.title.split('(').next().unwrap();
    assert!(shown.contains(function), "{function} not in {shown}");
    step.session.send_line("q").expect("type q");
    step.session.exp_eof().expect("step ends on q");
}

#[test]
fn be_the_scheduler_in_the_terminal_and_ctrl_c_an_exploration() {
    let mut repl = Repl::fresh("repl-explore");
    // Defined in one cell, explored from others (each cell its own copy of the prelude).
    repl.run(
        "fn adders() -> u64 { use std::sync::{Arc, atomic::Ordering::SeqCst}; \
         let total = Arc::new(threading::AtomicU64::new(0).named(\"total\")); \
         let ts: Vec<Thread> = [\"A\", \"B\"].iter().map(|n| { let total = total.clone(); \
         Thread::new(move || { let seen = total.load(SeqCst); total.store(seen + 1, SeqCst); }) \
         .with_name(*n) }).collect(); \
         for t in &ts { t.start().unwrap(); } for t in &ts { t.join().unwrap(); } \
         total.load(SeqCst) }",
    );
    let found = repl.run("explore(adders)");
    // (The pty's text is read as Latin-1: the arrows are left out.)
    assert!(
        found.contains("every schedule ran: 6 schedules")
            && found.contains("  2 schedules ")
            && found.contains(" returned 2\r\n  4 schedules ")
            && found.contains(" returned 1"),
        "{found}"
    );
    let lost = repl.run("explore(adders).first(|&t| t == 1).unwrap()");
    assert!(
        lost.contains("1  A: read total = 0") && lost.contains(" returned 1"),
        "{lost}"
    );
    repl.run("let mut s = Stepper::new(adders);");
    let shown = repl.run("s.step(\"A\")?.step(\"B\")?");
    assert!(
        shown.contains("2  B: read total = 0")
            && shown.contains("next, if chosen:")
            && shown.contains("A: write total = 1"),
        "{shown}"
    );
    let refused = repl.run("s.step(\"C\")?");
    assert!(
        refused.contains("no thread named \"C\" can take a step"),
        "{refused}"
    );
    let still = repl.run("s.possible()");
    assert!(
        still.contains("2 schedules ") && !still.contains("returned 2"),
        "{still}"
    );
    // A long exploration stops on Ctrl-C, and the stepper is still there.
    let stopped = repl.interrupt(
        "Explorer::new().most(usize::MAX).budget(std::time::Duration::from_secs(600)) \
         .run(|| { let n = std::sync::Arc::new(threading::AtomicU64::new(0)); \
         let ts: Vec<Thread> = (0..4).map(|_| { let n = n.clone(); Thread::new(move || \
         for _ in 0..4 { n.fetch_add(1, std::sync::atomic::Ordering::SeqCst); }) }).collect(); \
         for t in &ts { t.start().unwrap(); } for t in &ts { t.join().unwrap(); } })",
    );
    assert!(
        stopped.contains("KeyboardInterrupt") && !stopped.contains("restarted"),
        "{stopped}"
    );
    let after = repl.run("s.undo()?");
    assert!(
        after.contains("1  A: read total = 0") && !after.contains(" 2  B"),
        "{after}"
    );
    repl.quit();
}
