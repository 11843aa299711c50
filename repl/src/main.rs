//! `multitask`: the learner's workbench. Argument parsing, then the front end.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Parser;
use multitask_repl::build_dir::BuildDir;
use multitask_repl::session::{Options, find_prelude};
use multitask_repl::{progress, terminal};

/// A Rust REPL with the multitask prelude preloaded: Python's multitasking
/// (generators, processes, threads, coroutines) the Rust way.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Args {
    /// The prelude crate to preload [default: the workspace's `prelude/`]
    #[arg(long, env = "MULTITASK_PRELUDE")]
    prelude: Option<PathBuf>,
    /// Where evcxr compiles, kept between runs [default: the user's cache folder]
    #[arg(long, env = "MULTITASK_CACHE")]
    cache: Option<PathBuf>,
    /// rustc's optimisation level for cells (0 compiles fastest)
    #[arg(long, default_value = "0", value_parser = ["0", "1", "2", "3", "s", "z"])]
    opt: String,
}

fn main() {
    // evcxr runs this same binary as its runtime process: that must happen
    // before anything else (see evcxr::runtime_hook).
    evcxr::runtime_hook();

    if let Err(error) = run(Args::parse()) {
        eprintln!("multitask: {error:#}");
        std::process::exit(1);
    }
}

fn run(args: Args) -> Result<()> {
    let prelude = find_prelude(args.prelude)?;
    let cache = match args.cache {
        Some(dir) => dir,
        None => dirs::cache_dir()
            .context("no cache folder for this user; pass --cache DIR")?
            .join("multitask"),
    };
    let build_dir = BuildDir::acquire(&cache)
        .with_context(|| format!("cannot lock a build folder under {}", cache.display()))?;
    if !build_dir.is_primary() {
        println!(
            "Another multitask is running: this one builds in {}.",
            build_dir.path().display()
        );
    }
    // SAFETY: no other thread has started yet; evcxr reads this when the session starts.
    unsafe { std::env::set_var("EVCXR_TMPDIR", build_dir.path()) };

    let first_start = progress::is_first_start(build_dir.path());
    let options = Options {
        prelude,
        opt_level: args.opt,
    };
    terminal::run(options, build_dir.path(), first_start)
}
