//! The command line in the user's language: clap's own words (the usage
//! line, the headings, `--help` and `--version`) in Chinese, on every command.
//! Flag names stay English.

use clap::{Arg, ArgAction, Command, CommandFactory, FromArgMatches};

/// How every command's help is laid out, with Chinese headings.
const HELP_TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// The command line of `T` as [`localize`] words it.
pub(crate) fn command<T: CommandFactory>() -> Command {
    usage_in_chinese(localize(T::command(), true), "")
}

/// Every command's usage line with clap's `[OPTIONS]` in Chinese.
/// `parent` is the usage's start above `cmd` (`portal`), empty at the top.
fn usage_in_chinese(mut cmd: Command, parent: &str) -> Command {
    let usage = cmd.render_usage().to_string();
    let usage = usage.split_once(": ").map_or(usage.as_str(), |(_, u)| u).replace("[OPTIONS]", "[选项]");
    let usage = if parent.is_empty() { usage } else { format!("{parent} {usage}") };
    let name = cmd.get_name().to_owned();
    cmd = cmd.override_usage(usage);
    let names: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_owned()).collect();
    for sub in names {
        cmd = cmd.mut_subcommand(sub, |s| usage_in_chinese(s, &name));
    }
    cmd
}

/// Parses the arguments; `--help`, `--version` and mistakes exit as clap does.
pub(crate) fn parse<T: CommandFactory + FromArgMatches>() -> T {
    let matches = command::<T>().get_matches();
    T::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

/// `cmd` and its subcommands with Chinese headings and help flags.
fn localize(cmd: Command, top: bool) -> Command {
    let mut cmd = cmd
        .help_template(HELP_TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .disable_version_flag(true)
        .mut_args(|a| {
            let a = if a.is_positional() { a.help_heading("参数") } else { a.help_heading("选项") };
            // The values are named in each help text, in words.
            let a = if a.get_action().takes_values() { a.hide_possible_values(true) } else { a };
            // clap says `[default: …]`: said in Chinese instead.
            let defaults: Vec<String> =
                a.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
            match (defaults.is_empty(), a.get_help().map(ToString::to_string)) {
                (false, Some(help)) if !a.is_hide_default_value_set() => {
                    a.hide_default_value(true).help(format!("{help}（默认：{}）", defaults.join("、")))
                }
                _ => a,
            }
        })
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("显示帮助").help_heading("选项"));
    if top {
        cmd = cmd.arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading("选项"),
        );
    }
    let subs: Vec<Command> = cmd.get_subcommands().cloned().collect();
    for sub in subs {
        let name = sub.get_name().to_owned();
        cmd = cmd.mut_subcommand(name, |_| localize(sub, false));
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(clap::Parser)]
    #[command(version)]
    struct Demo {
        /// 根目录
        #[arg(long)]
        root: Option<String>,
        #[command(subcommand)]
        command: Sub,
    }

    #[derive(clap::Subcommand)]
    enum Sub {
        /// 生成
        Build,
    }

    #[test]
    fn clap_speaks_chinese_on_every_level() {
        let mut cmd = command::<Demo>();
        let top = cmd.render_help().to_string();
        assert!(top.contains("用法：") && top.contains("命令") && top.contains("显示帮助"), "{top}");
        assert!(!top.contains("Usage") && !top.contains("Print help") && !top.contains("Options:"), "{top}");
        assert!(!top.contains("[OPTIONS]") && !top.contains("[default"), "{top}");
        let sub = cmd.find_subcommand_mut("build").unwrap().render_help().to_string();
        assert!(sub.contains("用法：") && sub.contains("显示帮助") && !sub.contains("Print help"), "{sub}");
    }
}
