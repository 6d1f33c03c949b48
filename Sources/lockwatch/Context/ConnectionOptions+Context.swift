import ArgumentParser
import Foundation

extension ConnectionOptions {
    /// The context `--context` names, read from the config file; `nil` without `--context`.
    /// A config problem is printed as one line and thrown as exit code 78 (EX_CONFIG).
    func selectedContext() throws -> LockwatchContext? {
        guard let contextName else { return nil }
        let path = configFile.resolvedPath
        do {
            return try ConfigFile.load(path).context(named: contextName, source: path)
        } catch {
            printError(error.message)
            throw LockwatchExit.config
        }
    }

    /// Refuses (exit 77) when the context is read-only: `release` and force-release delete locks.
    func refuseIfReadOnly(_ what: String) throws {
        guard let context = try selectedContext(), context.readOnly else { return }
        printError("refused: \(what) is not allowed in context '\(context.name)', which is read-only (readonly = true in \(configFile.resolvedPath))")
        throw LockwatchExit.permission
    }

    /// The password the context references, read now.
    static func password(of context: LockwatchContext) throws -> String? {
        switch context.password {
        case nil:
            return nil
        case .environment(let name):
            guard let value = ProcessInfo.processInfo.environment[name] else {
                printError("context '\(context.name)': password_env names $\(name), which is not set; export it or use password_file")
                throw LockwatchExit.config
            }
            return value
        case .file(let path):
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                printError("context '\(context.name)': cannot read password_file '\(path)'")
                throw LockwatchExit.config
            }
            return String(text.split(separator: "\n", omittingEmptySubsequences: false).first ?? "")
        }
    }
}
