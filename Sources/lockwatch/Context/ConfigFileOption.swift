import ArgumentParser

/// `--config PATH`: which config file holds the contexts.
struct ConfigFileOption: ParsableArguments {
    @Option(name: .customLong("config"), help: ArgumentHelp(
        "The config file with the contexts. (Default: $XDG_CONFIG_HOME/lockwatch/config.toml, else ~/.config/lockwatch/config.toml.)",
        valueName: "path"))
    var path: String?

    /// The file's path, explicit or default.
    var resolvedPath: String { ConfigFile.path(explicit: path) }
}
