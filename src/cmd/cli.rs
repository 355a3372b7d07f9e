//! The command line in the user's language: clap's own words (the usage
//! line, the headings, `--help` and `--version`) in Chinese, on every command.
//! Flag names stay English.

use std::num::ParseIntError;
use std::process::ExitCode;

use clap::error::{ContextKind, ContextValue, ErrorKind};
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

/// Parses the arguments. `Err` is the exit status after `--help`,
/// `--version` or a mistake, already printed (mistakes in Chinese); returned
/// rather than exiting so that `main`'s console guard is dropped.
pub(crate) fn parse<T: CommandFactory + FromArgMatches>() -> Result<T, ExitCode> {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cmd = command::<T>();
    cmd.clone().try_get_matches_from(&args).and_then(|m| T::from_arg_matches(&m)).map_err(|e| match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = e.print();
            ExitCode::SUCCESS
        }
        // `portal` alone: the list of commands is the answer.
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            ExitCode::from(2)
        }
        _ => {
            eprint!("{}", in_chinese(&e, named(&cmd, &args)));
            // clap's status for a usage error.
            ExitCode::from(2)
        }
    })
}

/// The command `args` name (`portal build …` → build), or `top` itself.
fn named<'c>(top: &'c Command, args: &[std::ffi::OsString]) -> &'c Command {
    args.iter().skip(1).find_map(|a| top.find_subcommand(a)).unwrap_or(top)
}

/// A clap error in Chinese, from its kind and context (never from its English
/// text): what is wrong, a suggestion when clap has one, the usage line and
/// where the help is. Flags and values are quoted as typed.
/// `named` is the command the arguments name, for the usage line when clap
/// gives none.
pub(crate) fn in_chinese(e: &clap::Error, named: &Command) -> String {
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) if !v.is_empty() => Some(v.join("、")),
        Some(ContextValue::StyledStr(s)) => Some(s.to_string()),
        _ => None,
    };
    let list = |kind| match e.get(kind) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let arg = text(ContextKind::InvalidArg).unwrap_or_default();
    let usage = text(ContextKind::Usage).unwrap_or_else(|| named.clone().render_usage().to_string());
    let usage = usage.split_once(": ").map_or(usage.as_str(), |(_, u)| u).trim().to_owned();
    let mut hints = Vec::new();
    let what = match e.kind() {
        ErrorKind::UnknownArgument if arg.starts_with('-') => {
            if let Some(s) = text(ContextKind::SuggestedArg) {
                hints.push(format!("是不是想写 '{s}'？"));
            }
            format!("没有 '{arg}' 这个选项")
        }
        ErrorKind::UnknownArgument => format!("多出了参数 '{arg}'：这个命令不需要它"),
        ErrorKind::InvalidSubcommand => {
            let sub = text(ContextKind::InvalidSubcommand).unwrap_or_default();
            if let Some(s) = text(ContextKind::SuggestedSubcommand) {
                hints.push(format!("是不是想写 '{s}'？"));
            }
            format!("没有 '{sub}' 这个命令")
        }
        ErrorKind::InvalidValue => match text(ContextKind::InvalidValue).filter(|v| !v.is_empty()) {
            None => format!("选项 '{arg}' 后面缺少值"),
            Some(value) => {
                if let Some(s) = text(ContextKind::SuggestedValue) {
                    hints.push(format!("是不是想写 '{s}'？"));
                }
                let valid = list(ContextKind::ValidValue);
                if !valid.is_empty() {
                    hints.push(format!("可以写的值：{}", valid.join("、")));
                }
                format!("选项 '{arg}' 的值 '{value}' 不是可以写的值")
            }
        },
        ErrorKind::ValueValidation => {
            let value = text(ContextKind::InvalidValue).unwrap_or_default();
            // The one kind of value a flag of portal parses itself.
            if std::error::Error::source(e).is_some_and(|s| s.downcast_ref::<ParseIntError>().is_some()) {
                hints.push("这里要写一个不带小数点的整数，例如 15".to_owned());
            }
            format!("选项 '{arg}' 的值 '{value}' 写法不对")
        }
        ErrorKind::MissingRequiredArgument => {
            format!("缺少必须给出的参数：{}", list(ContextKind::InvalidArg).join("、"))
        }
        ErrorKind::MissingSubcommand => "缺少命令：要写明做什么，例如 portal build".to_owned(),
        ErrorKind::ArgumentConflict => {
            let prior = list(ContextKind::PriorArg).join("、");
            if prior.is_empty() {
                format!("选项 '{arg}' 只能写一次")
            } else {
                format!("选项 '{arg}' 不能和 {prior} 一起使用")
            }
        }
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues => {
            format!("选项 '{arg}' 后面的值的个数不对")
        }
        ErrorKind::NoEquals => format!("选项 '{arg}' 的值要用等号连着写，例如 {arg}=值"),
        ErrorKind::InvalidUtf8 => "命令行中有无法识别的字符：请检查文件夹名和参数的编码".to_owned(),
        // The rest (I/O, formatting) carry no user mistake to word.
        _ => format!("命令行无法解析（{:?}）", e.kind()),
    };
    let mut out = format!("错误：{what}\n");
    for hint in hints {
        out.push_str(&format!("  提示：{hint}\n"));
    }
    // The command the usage names, without its placeholders: where its help is.
    let command =
        usage.split_whitespace().take_while(|w| !w.starts_with(['[', '<', '-'])).collect::<Vec<_>>().join(" ");
    out.push_str(&format!("\n用法：{usage}\n"));
    out.push_str(&format!("\n要查看这个命令的全部选项，运行 {command} --help"));
    if command != "portal" {
        out.push_str("；全部命令：portal --help");
    }
    out.push('\n');
    out
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
