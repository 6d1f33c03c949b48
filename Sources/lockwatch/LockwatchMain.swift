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
        await Lockwatch.main()
    }
}

/// The `lockwatch` command and its subcommands.
struct Lockwatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lockwatch",
        abstract: "Safe, visible Redis locks: hold a lock around a command, list and release locks.",
        discussion: """
            Connection: --url, else $REDIS_URL, else redis://127.0.0.1:6379. Passwords never go \
            on the command line: put them in $REDIS_URL, $REDIS_PASSWORD or a --password-file.
            Durations take ms, s or m suffixes: 500ms, 10s, 2m.
            """,
        subcommands: [WatchCommand.self, HoldCommand.self, ListCommand.self, EventsCommand.self, ReleaseCommand.self, DemoCommand.self],
        defaultSubcommand: WatchCommand.self
    )
}
