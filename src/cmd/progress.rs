//! The progress line of `build` and `check` on a terminal: what the pipeline
//! is doing, shown only when the work lasts longer than a second, cleared at
//! the end. Nothing when stderr is not a terminal, nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use portal::pipeline::{Progress, Stage};

/// Work shorter than this shows no line at all.
const SHOW_AFTER: Duration = Duration::from_secs(1);

/// [`SHOW_AFTER`], or `PORTAL_PROGRESS_AFTER_MS` when set: tests of the line
/// must not depend on how fast the machine is.
fn show_after() -> Duration {
    std::env::var("PORTAL_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map_or(SHOW_AFTER, Duration::from_millis)
}

/// What the line says during the pass over the files, per command.
#[derive(Clone, Copy)]
pub(super) enum Pass {
    /// `build`: files made, links inspected, written.
    Build,
    /// `check`: files made in memory and inspected.
    Check,
}

/// The line, hidden until [`SHOW_AFTER`]; `None` inside when none is shown.
pub(super) struct ProgressLine {
    shown: Option<Shown>,
    pass: Pass,
}

struct Shown {
    bar: ProgressBar,
    /// Dropping it (or sending) tells the revealing thread the work is over.
    stop: Mutex<Option<Sender<()>>>,
    reveal: Mutex<Option<JoinHandle<()>>>,
}

impl ProgressLine {
    /// A line on stderr if it is a terminal and `--quiet` is not set.
    pub(super) fn start(pass: Pass) -> Self {
        if super::quiet() || !std::io::stderr().is_terminal() {
            return Self { shown: None, pass };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
        let (stop, stopped) = mpsc::channel::<()>();
        let revealed = bar.clone();
        let reveal = std::thread::spawn(move || {
            if let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(show_after()) {
                revealed.set_draw_target(ProgressDrawTarget::stderr());
                revealed.enable_steady_tick(Duration::from_millis(120));
            }
        });
        let shown = Shown { bar, stop: Mutex::new(Some(stop)), reveal: Mutex::new(Some(reveal)) };
        Self { shown: Some(shown), pass }
    }

    /// Clears the line before the command prints its results.
    pub(super) fn finish(&self) {
        let Some(s) = &self.shown else { return };
        if let Some(stop) = s.stop.lock().ok().and_then(|mut g| g.take()) {
            let _ = stop.send(());
        }
        if let Some(reveal) = s.reveal.lock().ok().and_then(|mut g| g.take()) {
            let _ = reveal.join();
        }
        s.bar.finish_and_clear();
    }

    /// What the line says in `stage`.
    fn words(&self, stage: Stage) -> &'static str {
        match (stage, self.pass) {
            (Stage::Load, _) => "正在读取并检查站点数据",
            (Stage::Produce { .. }, Pass::Build) => "正在生成文件并检查链接",
            (Stage::Produce { .. }, Pass::Check) => "正在检查各个文件和链接",
            (Stage::Write, _) => "正在写入输出文件夹",
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.finish();
    }
}

impl Progress for ProgressLine {
    fn stage(&self, stage: Stage) {
        let Some(s) = &self.shown else { return };
        let template = match stage {
            Stage::Produce { files } => {
                s.bar.set_length(files as u64);
                s.bar.set_position(0);
                "{spinner} {msg}：{pos}/{len} 个文件"
            }
            Stage::Load | Stage::Write => "{spinner} {msg}……",
        };
        let style = ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner());
        s.bar.set_style(style);
        s.bar.set_message(self.words(stage));
    }

    fn file_done(&self) {
        if let Some(s) = &self.shown {
            s.bar.inc(1);
        }
    }
}
