//! `smppdiag completions SHELL` and `smppdiag man`: generated from the clap definitions.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;

use clap::CommandFactory;

use crate::exit::Exit;

/// Arguments of `completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Print a completion script for the shell.
pub fn run(args: CompletionsArgs) -> anyhow::Result<Exit> {
    let mut cmd = super::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut cmd, "smppdiag", &mut out);
    out.flush()?;
    Ok(Exit::Success)
}

/// Arguments of `man`.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:
  smppdiag man | man -l -
  smppdiag man --dir ~/.local/share/man/man1 && man smppdiag-serve")]
pub struct ManArgs {
    /// Write one page per subcommand (smppdiag.1, smppdiag-decode.1, ...) into this directory
    /// (created if missing) instead of printing them all.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Print the man pages (roff) of smppdiag and its subcommands, or install them with `--dir`.
pub fn man(args: ManArgs) -> anyhow::Result<Exit> {
    let pages = man_pages()?;
    match args.dir {
        Some(dir) => {
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let mut out = std::io::stdout().lock();
            for (file, page) in &pages {
                let path = dir.join(file);
                std::fs::write(&path, page)
                    .with_context(|| format!("writing {}", path.display()))?;
                writeln!(out, "{}", path.display())?;
            }
            out.flush()?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            for (_, page) in &pages {
                out.write_all(page)?;
            }
            out.flush()?;
        }
    }
    Ok(Exit::Success)
}

/// Every page: `(file name, roff)`, smppdiag.1 first, then one per visible subcommand.
pub fn man_pages() -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let mut cmd = super::Cli::command();
    cmd.build();
    let mut pages = vec![("smppdiag.1".to_string(), page(&cmd, "smppdiag")?)];
    // clap's generated `help` subcommand has no page of its own.
    let documented = |s: &&clap::Command| !s.is_hide_set() && s.get_name() != "help";
    for sub in cmd.get_subcommands().filter(documented) {
        let title = format!("smppdiag-{}", sub.get_name());
        pages.push((format!("{title}.1"), page(sub, &title)?));
    }
    Ok(pages)
}

/// One page: clap_mangen's sections, hyphenation off, and the `after_help` text (examples,
/// value lists, exit codes) as sections whose indented lines are kept exactly as written.
fn page(cmd: &clap::Command, title: &str) -> std::io::Result<Vec<u8>> {
    let after = cmd.get_after_help().map(|s| s.to_string());
    let bare = cmd
        .clone()
        .after_help(None::<&str>)
        .after_long_help(None::<&str>);
    let man = clap_mangen::Man::new(bare.clone()).title(title);
    let mut w = Vec::new();
    man.render_title(&mut w)?;
    w.extend_from_slice(b".nh\n");
    man.render_name_section(&mut w)?;
    man.render_synopsis_section(&mut w)?;
    man.render_description_section(&mut w)?;
    if bare.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut w)?;
    }
    if bare.has_subcommands() {
        man.render_subcommands_section(&mut w)?;
    }
    if let Some(text) = after {
        w.extend_from_slice(after_help_roff(&text).as_bytes());
    }
    if bare.get_version().is_some() {
        man.render_version_section(&mut w)?;
    }
    Ok(w)
}

/// `after_help` as roff: an unindented line ending in `:` starts a section named by it;
/// indented lines (commands, tables) are set without filling, so an example stays on one line;
/// other lines are prose.
pub fn after_help_roff(text: &str) -> String {
    let mut r = roff::Roff::new();
    let mut literal = false;
    let mut started = false;
    for line in text.lines() {
        let heading = !line.starts_with(' ') && line.ends_with(':') && !line.contains(". ");
        let indented = line.starts_with(' ');
        if heading || !started {
            set_literal(&mut r, &mut literal, false);
            let name = if heading {
                line.trim_end_matches(':')
            } else {
                "Notes"
            };
            r.control("SH", [name.to_uppercase().as_str()]);
            started = true;
            if heading {
                continue;
            }
        }
        if line.trim().is_empty() {
            set_literal(&mut r, &mut literal, false);
            continue;
        }
        set_literal(&mut r, &mut literal, indented);
        r.text([roff::roman(line)]);
    }
    set_literal(&mut r, &mut literal, false);
    r.to_roff()
}

/// Switch between no-fill (`.nf`, lines as written) and fill (`.fi`) mode.
fn set_literal(r: &mut roff::Roff, literal: &mut bool, want: bool) {
    if *literal != want {
        r.control(if want { "nf" } else { "fi" }, []);
        if !want {
            r.control("PP", []);
        }
        *literal = want;
    }
}
