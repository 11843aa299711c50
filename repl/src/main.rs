//! `multitask`: the learner's workbench. Argument parsing, then the front end.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use clap::{Parser, Subcommand};
use multitask_repl::session::build_dir::BuildDir;
use multitask_repl::session::commands::OPT_LEVELS;
use multitask_repl::session::locate::find_prelude;
use multitask_repl::session::shared_build::SharedBuild;
use multitask_repl::session::toolchain;
use multitask_repl::session::{Hooks, Options, Session};
use multitask_repl::{kernel, notebook::check, notebook::step, terminal};

/// `--version`: the version, and what Tab and Shift-Tab know in this build.
const VERSION: &str = if cfg!(feature = "analyzer") {
    concat!(env!("CARGO_PKG_VERSION"), " (with rust-analyzer)")
} else {
    concat!(
        env!("CARGO_PKG_VERSION"),
        " (without rust-analyzer: Tab and Shift-Tab know the prelude; --features analyzer adds it)"
    )
};

/// A Rust REPL with the multitask prelude preloaded: Python's multitasking
/// (generators, processes, threads, coroutines) the Rust way.
#[derive(Parser, Debug)]
#[command(name = "multitask", version = VERSION, about)]
struct Args {
    /// The prelude crate to preload [default: the workspace's `prelude/`]
    #[arg(long, env = "MULTITASK_PRELUDE", global = true)]
    prelude: Option<PathBuf>,
    /// Where evcxr compiles, kept between runs [default: the user's cache folder]
    #[arg(long, env = "MULTITASK_CACHE", global = true)]
    cache: Option<PathBuf>,
    /// A build made for every user by `multitask warm DIR`: this session's
    /// build folder starts from it and compiles no dependency
    #[arg(
        long,
        env = "MULTITASK_SHARED_BUILD",
        value_name = "DIR",
        global = true
    )]
    shared_build: Option<PathBuf>,
    /// rustc's optimisation level for cells (0 compiles fastest)
    #[arg(long, default_value = "0", value_parser = clap::builder::PossibleValuesParser::new(OPT_LEVELS), global = true)]
    opt: String,
    /// Plain evcxr: no prelude, evcxr's own settings (to compare against)
    #[arg(long, hide = true)]
    stock: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Walk a notebook in the terminal, cell by cell
    Step {
        /// The notebook
        #[arg(required_unless_present = "exercise")]
        notebook: Option<PathBuf>,
        /// Open the chapter's notebook at this exercise (`multitask exercises`
        /// marks the next one): the cells before it run first
        #[arg(long, value_name = "ID", conflicts_with = "notebook")]
        exercise: Option<String>,
    },
    /// List the exercises: the ones you passed ticked, the next one marked
    Exercises,
    /// Build the prelude once for every user of this machine (a class's
    /// JupyterHub), into DIR, readable by all and writable by none of them;
    /// sessions started with `--shared-build DIR` then compile nothing
    Warm {
        /// The folder to build in (made if missing; built again if there)
        #[arg(value_name = "DIR")]
        folder: PathBuf,
    },
    /// Run notebooks cell by cell and compare every output with the stored one
    Check {
        /// Rewrite the stored outputs that differ instead of comparing
        #[arg(long)]
        update: bool,
        /// With --update: rewrite every output, also those that compare
        /// equal (after a change to how outputs are drawn, say)
        #[arg(long, requires = "update")]
        all: bool,
        /// Seconds a cell may run before it is stopped and fails
        #[arg(long, default_value_t = 300.0)]
        timeout: f64,
        /// Check this one notebook in this process (used by `check` itself)
        #[arg(long, hide = true)]
        single: bool,
        /// Notebooks, or folders of them
        #[arg(default_value = "notebooks")]
        paths: Vec<PathBuf>,
    },
    /// The Jupyter kernel (Jupyter starts it with a connection file)
    Kernel {
        /// The connection file Jupyter wrote for this kernel
        #[arg(long)]
        connection_file: Option<PathBuf>,
        #[command(subcommand)]
        action: Option<KernelAction>,
    },
}

#[derive(Subcommand, Debug)]
enum KernelAction {
    /// Install the kernelspec so Jupyter lists "Rust (multitask)"
    Install {
        /// Install under PREFIX/share/jupyter (a virtualenv's or conda env's prefix)
        #[arg(long)]
        prefix: Option<PathBuf>,
    },
    /// Say what is wrong with the installed kernel (the kernelspec Jupyter
    /// uses, the binary and prelude it names, cargo, rust-src)
    Doctor {
        /// Look only under PREFIX/share/jupyter
        #[arg(long)]
        prefix: Option<PathBuf>,
    },
}

fn main() {
    // evcxr runs this same binary as its runtime process: that must happen
    // before anything else (see evcxr::runtime_hook). A runtime outlives its
    // REPL or kernel only while a cell is busy (an idle one reads stdin and
    // leaves at its end), so it watches for its parent's end.
    if std::env::var_os("EVCXR_IS_RUNTIME").is_some() {
        // A session's runtime: when the session is over, so is every process
        // its cells started (Python would wait for them).
        multitask::multiprocessing::end_children_at_exit();
        die_with_parent();
        // An interrupt stops the running cell and keeps the variables
        // (see multitask::interrupt); without the handler, only a kill would.
        if let Err(error) = multitask::interrupt::install() {
            eprintln!("multitask runtime: interrupts will lose variables: {error}");
        }
    }
    evcxr::runtime_hook_with(evcxr::CellHooks {
        begin: multitask::interrupt::begin_cell,
        end: multitask::interrupt::end_cell,
    });

    if let Err(error) = run(Args::parse()) {
        eprintln!("multitask: {error:#}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<()> {
    // Absolute, as the links seeded from it and the kernelspec must be.
    let shared = args
        .shared_build
        .as_deref()
        .map(std::path::absolute)
        .transpose()?
        .map(SharedBuild::new);
    let prelude = if args.stock {
        None
    } else {
        Some(find_prelude(args.prelude.clone())?)
    };
    // Commands that need no session of their own.
    match &args.command {
        Some(Command::Exercises) => {
            println!("{}", multitask::exercises::progress::listing());
            return Ok(());
        }
        Some(Command::Kernel {
            action: Some(KernelAction::Install { prefix }),
            ..
        }) => {
            let prelude = prelude.context("the kernel needs the prelude")?;
            let shared = shared.as_ref().map(SharedBuild::root);
            let dir = kernel::install::install(prefix.as_deref(), &prelude, shared)?;
            println!(
                "Installed the kernelspec \"Rust (multitask)\" in {}",
                dir.display()
            );
            let findings = kernel::doctor::check_spec(&dir);
            for finding in findings.iter().chain(&kernel::doctor::toolchain()) {
                println!("{finding}");
            }
            let exe = std::env::current_exe()?;
            if exe.components().any(|c| c.as_os_str() == "target") {
                println!(
                    "Note: the kernel runs this build in place ({}): `cargo clean` or moving \
                     the checkout breaks it, and `multitask kernel doctor` then says what.",
                    exe.display()
                );
            }
            if findings.iter().any(|f| !f.ok) {
                bail!("the kernelspec was written, but the kernel would not start (see ✗ above)");
            }
            return Ok(());
        }
        Some(Command::Kernel {
            action: Some(KernelAction::Doctor { prefix }),
            ..
        }) => {
            let folders = match prefix {
                Some(prefix) => vec![kernel::install::kernel_dir(Some(prefix))?],
                None => kernel::doctor::search_path(),
            };
            let findings = kernel::doctor::examine(&folders);
            for finding in &findings {
                println!("{finding}");
            }
            if findings.iter().any(|f| !f.ok) {
                std::process::exit(1);
            }
            return Ok(());
        }
        Some(Command::Warm { folder }) => {
            let prelude = prelude.context("`warm` builds the prelude, which --stock leaves out")?;
            return warm(folder, prelude, args.opt.clone());
        }
        Some(Command::Check {
            update,
            all,
            timeout,
            single: false,
            paths,
        }) => {
            // Each notebook runs in a child process: pass our settings on.
            let mut forwarded = vec!["--opt".to_string(), args.opt.clone()];
            if let Some(prelude) = &prelude {
                forwarded.extend(["--prelude".to_string(), prelude.display().to_string()]);
            }
            if let Some(cache) = &args.cache {
                forwarded.extend(["--cache".to_string(), cache.display().to_string()]);
            }
            let settings = check::Settings {
                update: *update,
                all: *all,
                timeout: cell_timeout(*timeout)?,
            };
            if !check::run_all(paths, &forwarded, settings)? {
                std::process::exit(1);
            }
            return Ok(());
        }
        _ => {}
    }

    // A kernel says it in its log; a REPL to the learner.
    let say: fn(&str) = match &args.command {
        Some(Command::Kernel { .. }) => kernel::log::routine,
        _ => |line| eprintln!("{line}"),
    };
    let build_dir = build_dir(args.cache.clone(), shared.as_ref(), say)?;
    let first_start = !build_dir.is_ready();
    let options = Options {
        prelude,
        opt_level: (!args.stock).then_some(args.opt),
        build_dir: Some(build_dir.path().to_path_buf()),
        interrupter: Default::default(),
    };
    match args.command {
        None => terminal::run(options, build_dir.path(), first_start),
        Some(Command::Step { notebook, exercise }) => {
            let (notebook, at) = match (notebook, exercise) {
                (_, Some(id)) => {
                    let prelude = options
                        .prelude
                        .as_deref()
                        .context("exercises need the prelude")?;
                    (step::exercise_notebook(prelude, &id)?, Some(id))
                }
                (Some(notebook), None) => (notebook, None),
                (None, None) => bail!("`step` takes a notebook or `--exercise ID`"),
            };
            step::run(
                &notebook,
                at.as_deref(),
                options,
                build_dir.path(),
                first_start,
            )
        }
        Some(Command::Check {
            update,
            all,
            timeout,
            paths,
            ..
        }) => {
            let [path] = paths.as_slice() else {
                bail!("`check --single` takes one notebook");
            };
            let settings = check::Settings {
                update,
                all,
                timeout: cell_timeout(timeout)?,
            };
            if !check::run_single(path, &options, settings)? {
                std::process::exit(1);
            }
            Ok(())
        }
        Some(Command::Kernel {
            connection_file: Some(file),
            action: None,
        }) => kernel::run(&file, options, first_start),
        Some(Command::Kernel { .. }) => {
            bail!("`multitask kernel` needs --connection-file FILE (or `install`)")
        }
        Some(Command::Exercises | Command::Warm { .. }) => unreachable!("answered above"),
    }
}

/// `--timeout SECS` as a duration: a positive number of seconds.
fn cell_timeout(seconds: f64) -> Result<std::time::Duration> {
    std::time::Duration::try_from_secs_f64(seconds)
        .ok()
        .filter(|timeout| !timeout.is_zero())
        .with_context(|| format!("--timeout takes a positive number of seconds, not {seconds}"))
}

/// `multitask warm DIR`: vendors the prelude's dependencies, builds the
/// prelude in `DIR/build` with a session that must answer a cell, then
/// stamps the build and opens `DIR` to every user for reading.
fn warm(folder: &Path, prelude: PathBuf, opt: String) -> Result<()> {
    let folder = std::path::absolute(folder)?;
    let shared = SharedBuild::new(&folder);
    eprintln!(
        "Vendoring the prelude's dependencies into {} …",
        folder.join("vendor").display()
    );
    shared.vendor_sources(&prelude)?;
    let build_dir = build_dir(Some(folder.clone()), None, |line| eprintln!("{line}"))?;
    if !build_dir.is_primary() {
        bail!(
            "a session is building in {} already: let it end, then warm again",
            shared.build_folder().display()
        );
    }
    eprintln!("Building the prelude in {} …", build_dir.path().display());
    let options = Options {
        prelude: Some(prelude),
        opt_level: Some(opt),
        build_dir: Some(build_dir.path().to_path_buf()),
        interrupter: Default::default(),
    };
    let mut session = Session::start(&options, Hooks::output(|_, line| eprint!("{line}")))?;
    let cell = "let warm = jumping_range(5); warm.next()";
    if let Some(failure) = session.execute(cell).failure() {
        bail!("the warm session could not run `{cell}`: {failure:?}");
    }
    drop(session);
    let stamp = shared.finish()?;
    println!(
        "The shared build in {} is ready (stamp {stamp}). Sessions started with \
         `--shared-build {0}` (or MULTITASK_SHARED_BUILD={0}; `multitask kernel install \
         --shared-build {0}` puts it in the kernelspec) start from it.",
        folder.display()
    );
    Ok(())
}

/// Locks a build folder under `cache` (or the user's cache folder), seeded
/// from `shared` if given, and points evcxr at it.
fn build_dir(
    cache: Option<PathBuf>,
    shared: Option<&SharedBuild>,
    say: fn(&str),
) -> Result<BuildDir> {
    let cache = match cache {
        Some(dir) => dir,
        None => dirs::cache_dir()
            .context("no cache folder for this user; pass --cache DIR")?
            .join("multitask"),
    };
    let build_dir = BuildDir::acquire(&cache, shared)
        .with_context(|| format!("cannot lock a build folder under {}", cache.display()))?;
    if let (Some(shared), Some(why)) = (shared, build_dir.unseeded()) {
        let instead = if build_dir.is_ready() {
            "this session uses its own build in"
        } else {
            "the prelude compiles for this session in"
        };
        say(&format!(
            "Not starting from the shared build in {}: {why}; {instead} {}.",
            shared.root().display(),
            build_dir.path().display()
        ));
    }
    if !build_dir.is_primary() {
        say(&format!(
            "Another multitask is running: this one builds in {}{}.",
            build_dir.path().display(),
            if build_dir.is_ready() {
                " (the prelude compiled already)"
            } else {
                ""
            }
        ));
    }
    let library_path = runtime_library_path()?;
    // evcxr's completions and type inference read std's source (the kernel
    // also tells its first cell).
    if let Some(note) = toolchain::missing_rust_src() {
        say(note);
    }
    // SAFETY: no other thread has started yet. evcxr reads EVCXR_TMPDIR when
    // the session starts; its runtime process inherits LD_LIBRARY_PATH.
    unsafe {
        std::env::set_var("EVCXR_TMPDIR", build_dir.path());
        std::env::set_var("LD_LIBRARY_PATH", library_path);
    }
    Ok(build_dir)
}

/// In the runtime process: leave when the REPL or kernel that started it is
/// gone, even if it was killed while a cell runs `loop {}`. A watcher thread
/// notices the runtime being handed to another parent. (PR_SET_PDEATHSIG would
/// fire when the *thread* that spawned the runtime ends, which here is the
/// start-up thread, long before the session does.)
fn die_with_parent() {
    let parent = nix::unistd::getppid();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(250));
            if nix::unistd::getppid() != parent {
                // The cells' child processes end with the session; then
                // `_exit`, not `exit`: exit handlers would wait for the
                // learner's non-daemon threads, which may never end.
                multitask::multiprocessing::end_children();
                // SAFETY: `_exit` ends the process at once.
                unsafe { libc::_exit(1) };
            }
        }
    });
}

/// `LD_LIBRARY_PATH` with the toolchain's `libstd-….so` in front. Each cell is
/// a shared library that finds std through a RUNPATH relative to where cargo
/// built it; evcxr then moves it a folder up, which breaks that path in a
/// build folder as deep as the user's cache (`dlopen failed`).
fn runtime_library_path() -> Result<std::ffi::OsString> {
    let output = std::process::Command::new("rustc")
        .args(["--print", "target-libdir"])
        .output()
        .context("cannot run rustc: is a Rust toolchain installed?")?;
    let libdir = String::from_utf8(output.stdout).context("rustc printed a non-UTF-8 path")?;
    let libdir = PathBuf::from(libdir.trim());
    let mut paths = vec![libdir];
    if let Some(existing) = std::env::var_os("LD_LIBRARY_PATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).context("cannot build LD_LIBRARY_PATH")
}
