import ArgumentParser
import NIOCore
import NIOPosix

/// Entry point: NIO's event loops become Swift's global executor (an executable may do that;
/// the libraries never do), then the command line is parsed and run.
@main
enum LockwatchMain {
    static func main() async {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        LogSetup.bootstrap()
        switch CommandLineFront.action(for: Array(CommandLine.arguments.dropFirst())) {
        case .help:
            print(TopLevelHelp.text())
        case .unknownCommand(let name, let suggestion):
            TopLevelHelp.rejectUnknownCommand(name, suggestion: suggestion)
        case .parse(let arguments):
            await Lockwatch.main(arguments)
        }
    }
}

/// The `lockwatch` command and its subcommands.
struct Lockwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockwatch",
        abstract: "Safe, visible Redis locks: hold a lock around a command, list and release locks.",
        usage: "lockwatch [--context <name>] [<subcommand>] [<options>]",
        discussion: """
            Connection: --url, else $REDIS_URL, else redis://127.0.0.1:6379. Passwords never go \
            on the command line: put them in $REDIS_URL, $REDIS_PASSWORD or a --password-file.
            Contexts: --context NAME (before or after the command) takes the URL, password \
            reference, prefix, read-only, interval and header label from the config file \
            ($XDG_CONFIG_HOME/lockwatch/config.toml, else ~/.config/lockwatch/config.toml, or --config PATH).
            Durations take ms, s or m suffixes: 500ms, 10s, 2m.
            """,
        subcommands: [
            WatchCommand.self, HoldCommand.self, ListCommand.self, EventsCommand.self, ReleaseCommand.self, DemoCommand.self,
            ContextsCommand.self, ConfigCommand.self,
        ],
        defaultSubcommand: WatchCommand.self
    )
}
