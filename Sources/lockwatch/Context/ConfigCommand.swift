import ArgumentParser
import Foundation

/// `lockwatch config`: the config file.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Manage the config file that holds the contexts.",
        subcommands: [ConfigInitCommand.self]
    )
}

/// `lockwatch config init`: writes a commented example config file.
struct ConfigInitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented example config file (two contexts, every key explained).",
        discussion: """
            Refuses to overwrite an existing file unless --force. The directory is created \
            (mode 700) and the file written with mode 600.
            Exit codes: 0 written; 73 cannot create it; 78 the file exists (use --force).
            """
    )

    @OptionGroup var configFile: ConfigFileOption

    @Flag(help: "Overwrite an existing file.")
    var force = false

    func run() throws {
        let path = configFile.resolvedPath
        if ConfigFile.exists(path) && !force {
            printError("\(path) exists; not overwritten (use --force to replace it)")
            throw LockwatchExit.config
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try Data(ConfigExample.text.utf8).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        } catch {
            printError("cannot write \(path): \(error.localizedDescription)")
            throw ExitCode(73)
        }
        print("wrote \(path): edit its contexts, then `\(SelfInvocation.command) contexts` lists them and `\(SelfInvocation.command) --context NAME` uses one")
    }
}
